#!/usr/bin/env python3
"""systemd_unit.py — reads an installed lrsweep unit as systemd does, for
test_systemd.sh.

  systemd_unit.py get UNIT KEY
      the [Service] values of KEY, one a line (assignments accumulate; an
      empty one resets, as in systemd.unit(5))
  systemd_unit.py exec UNIT INSTANCE --etc DIR --state DIR --creds DIR OUT
      the ExecStart= line expanded as systemd.service(5) says: specifiers
      (%i %I %n %p %H %E %S %d %%; any other is an error), then the unit's
      Environment= and EnvironmentFile= (read with the same specifiers, a
      leading '-' meaning optional): ${NAME} inside a word, $NAME as a whole
      word split at white space.  %E, %S and %d stand for DIR given, in place
      of /etc, /var/lib and the credentials folder.  Writes OUT.argv and
      OUT.env (NUL-separated) and OUT.creds (NAME<TAB>SOURCE lines of
      LoadCredential=).
"""
import os
import re
import shlex
import socket
import sys


def parse(path):
    """[Service] as {key: [values]}."""
    section, out, pending = None, {}, ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if pending:
            line, pending = pending + line, ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        if s.startswith("["):
            section = s.strip("[]")
            continue
        key, _, value = s.partition("=")
        key, value = key.strip(), value.strip()
        if section != "Service":
            continue
        if value == "":
            out[key] = []
        else:
            out.setdefault(key, []).append(value)
    return out


def specifiers(text, unit, instance, dirs):
    prefix = unit.split("@", 1)[0]
    table = {
        "i": instance,
        "I": instance,
        "n": "%s@%s.service" % (prefix, instance),
        "p": prefix,
        "H": socket.gethostname(),
        "E": dirs["etc"],
        "S": dirs["state"],
        "d": os.path.join(dirs["creds"], "%s@%s.service" % (prefix, instance)),
        "%": "%",
    }

    def one(m):
        c = m.group(1)
        if c not in table:
            sys.exit("systemd_unit.py: specifier %%%s is not known here" % c)
        return table[c]

    return re.sub(r"%(.)", one, text)


def env_file(path):
    env = {}
    for raw in open(path, encoding="utf-8"):
        s = raw.strip()
        if not s or s[0] in "#;":
            continue
        key, _, value = s.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def expand_command(line, env):
    argv = []
    for word in shlex.split(line):
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if m:
            argv.extend(env.get(m.group(1), "").split())
            continue
        argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                           lambda mm: env.get(mm.group(1), ""), word))
    return argv


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "get":
        for v in parse(sys.argv[2]).get(sys.argv[3], []):
            print(v)
        return
    args = sys.argv[1:]
    if len(args) != 10 or args[0] != "exec" or args[3::2][:3] != ["--etc", "--state", "--creds"]:
        sys.exit(__doc__)
    unit_path, instance = args[1], args[2]
    dirs = {"etc": args[4], "state": args[6], "creds": args[8]}
    out = args[9]
    unit = os.path.basename(unit_path)
    svc = parse(unit_path)
    env = {}
    for assignment in svc.get("Environment", []):
        for pair in shlex.split(specifiers(assignment, unit, instance, dirs)):
            key, _, value = pair.partition("=")
            env[key] = value
    for f in svc.get("EnvironmentFile", []):
        f = specifiers(f, unit, instance, dirs)
        optional = f.startswith("-")
        f = f.lstrip("-")
        if os.path.exists(f):
            env.update(env_file(f))
        elif not optional:
            sys.exit("systemd_unit.py: EnvironmentFile %s is missing" % f)
    starts = svc.get("ExecStart", [])
    if len(starts) != 1:
        sys.exit("systemd_unit.py: %d ExecStart= lines" % len(starts))
    argv = expand_command(specifiers(starts[0], unit, instance, dirs), env)
    with open(out + ".argv", "wb") as fh:
        fh.write(b"".join(a.encode() + b"\0" for a in argv))
    with open(out + ".env", "wb") as fh:
        fh.write(b"".join(("%s=%s" % kv).encode() + b"\0" for kv in sorted(env.items())))
    with open(out + ".creds", "w") as fh:
        for c in svc.get("LoadCredential", []):
            name, _, source = specifiers(c, unit, instance, dirs).partition(":")
            fh.write("%s\t%s\n" % (name, source))


if __name__ == "__main__":
    main()
