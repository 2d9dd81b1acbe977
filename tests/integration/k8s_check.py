#!/usr/bin/python3
"""k8s_check.py — checks the rendering of deploy/k8s (`kubectl kustomize`)
against Kubernetes' own API types and against itself; test_k8s.sh runs it.

    k8s_check.py check RENDERED --image IMAGE --parallelism N
    k8s_check.py stage RENDERED ROOT --port PORT

`check` loads every document into the typed models of the Kubernetes Python
client (V1StatefulSet, V1Job, …) the way the client reads an API server's
answer, writes each back out, and fails on any field that did not survive
the round trip (a misspelt or misplaced field, which `kubectl kustomize`
passes through silently).  Then it checks that the parts agree: selectors
and pod labels, the Service's ports, the container port and the workers'
--connect address, the ConfigMap, Secret and volume names and the paths the
lrsweep arguments name, the NetworkPolicy's selectors, the image and its
pull policy, the Indexed Job, and the pods' security settings.  It prints
one "ok: CHECK" or "FAIL: CHECK: why" line per check and exits 1 on any
failure.

`stage` lays out under ROOT what the kubelet would give each pod (ConfigMap
and Secret files with their modes, owned by root and the pod's fsGroup when
run as root; the claim and emptyDirs as folders of the fsGroup) and writes
ROOT/coordinator.argv and ROOT/worker.argv, one argument a line: the
containers' command lines with their mount paths moved under ROOT and their
endpoints moved to 127.0.0.1:PORT, so the rendered commands can run here.
"""

import argparse
import base64
import json
import os
import re
import sys

import yaml
from kubernetes import client

KINDS = {
    ("apps/v1", "StatefulSet"): "V1StatefulSet",
    ("v1", "Service"): "V1Service",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Secret"): "V1Secret",
    ("batch/v1", "Job"): "V1Job",
    ("networking.k8s.io/v1", "NetworkPolicy"): "V1NetworkPolicy",
}
INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']"


class Answer:
    """What ApiClient.deserialize reads: an HTTP response's body."""

    def __init__(self, doc):
        self.data = json.dumps(doc)


def load_typed(docs):
    """(typed objects, round-trip problems) for the rendered documents."""
    api = client.ApiClient()
    typed, problems = [], []
    for i, doc in enumerate(docs):
        key = (doc.get("apiVersion"), doc.get("kind"))
        where = "%s/%s" % (doc.get("kind"), (doc.get("metadata") or {}).get("name"))
        if key not in KINDS:
            problems.append("document %d (%s): kind %s %s is not one deploy/k8s should render"
                            % (i, where, key[0], key[1]))
            continue
        try:
            obj = api.deserialize(Answer(doc), KINDS[key])
        except (ValueError, TypeError) as e:
            problems.append("%s does not load as %s: %s" % (where, KINDS[key], e))
            continue
        back = api.sanitize_for_serialization(obj)
        for path in differences(json.loads(json.dumps(doc)), back, ""):
            problems.append("%s: %s" % (where, path))
        typed.append(obj)
    return typed, problems


def differences(want, got, path):
    """Paths where the document and its round trip differ."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for k in want:
            if k not in got:
                out.append("%s.%s is not a field of the API (dropped by the round trip)"
                           % (path, k))
            else:
                out += differences(want[k], got[k], "%s.%s" % (path, k))
        for k in got:
            if k not in want:
                out.append("%s.%s appeared in the round trip" % (path, k))
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return ["%s: %d items became %d" % (path, len(want), len(got))]
        out = []
        for i, (w, g) in enumerate(zip(want, got)):
            out += differences(w, g, "%s[%d]" % (path, i))
        return out
    if want != got:
        return ["%s: %r became %r" % (path, want, got)]
    return []


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, name, problems):
        problems = [p for p in problems if p]
        if problems:
            self.failures += 1
            for p in problems:
                print("FAIL: %s: %s" % (name, p))
        else:
            print("ok: %s" % name)


def one(objs, cls, what):
    found = [o for o in objs if isinstance(o, cls)]
    if len(found) != 1:
        raise SystemExit("FAIL: layout: expected one %s, found %d" % (what, len(found)))
    return found[0]


def selects(selector, labels):
    """A label selector (matchLabels only) selects a pod with these labels."""
    match = selector or {}
    return bool(match) and all((labels or {}).get(k) == v for k, v in match.items())


def arg_after(args, flag):
    """The value of FLAG in an argument list (`--flag V` or `--flag=V`)."""
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(flag + "="):
            return a[len(flag) + 1:]
    return None


def endpoint(text):
    m = re.fullmatch(r"tcp://([^:/]+):(\d+)", text or "")
    return (m.group(1), int(m.group(2))) if m else (None, None)


def container_of(pod_spec, name):
    found = [c for c in pod_spec.containers if c.name == name]
    return found[0] if len(found) == 1 else None


def mount_for(container, path):
    """(mount, path relative to it) of the deepest mount holding PATH."""
    best = None
    for m in container.volume_mounts or []:
        root = m.mount_path.rstrip("/")
        if path == root or path.startswith(root + "/"):
            if best is None or len(root) > len(best[0].mount_path.rstrip("/")):
                best = (m, path[len(root):].lstrip("/"))
    return best


def volume_files(volume, configmaps, secrets):
    """{path in the volume: (source key, data bytes, mode)} for a ConfigMap or
    Secret volume, or None for another kind."""
    if volume.config_map is not None:
        src = configmaps.get(volume.config_map.name)
        data = {k: v.encode() for k, v in ((src.data or {}) if src else {}).items()}
        items, mode = volume.config_map.items, volume.config_map.default_mode
    elif volume.secret is not None:
        src = secrets.get(volume.secret.secret_name)
        data = {k: base64.b64decode(v) for k, v in ((src.data or {}) if src else {}).items()}
        items, mode = volume.secret.items, volume.secret.default_mode
    else:
        return None
    mode = 0o644 if mode is None else mode
    if items:
        return {it.path: (it.key, data.get(it.key), it.mode if it.mode is not None else mode)
                for it in items}
    return {k: (k, v, mode) for k, v in data.items()}


def path_problems(role, container, pod_spec, path, want, configmaps, secrets, claims):
    """Why PATH, an argument of ROLE's lrsweep, would not be what it needs
    in the pod: want is 'file' (a file of a ConfigMap or Secret volume),
    'pubdir' (a folder of .pub files in one) or 'claim' (a file on the
    PersistentVolumeClaim)."""
    if not path:
        return ["%s: the argument is missing" % role]
    found = mount_for(container, path)
    if found is None:
        return ["%s: %s is under no volumeMount of container %s" % (role, path, container.name)]
    mount, rel = found
    if want == "claim":
        if mount.name not in claims:
            return ["%s: %s is on volume %s, not on the PersistentVolumeClaim (%s)"
                    % (role, path, mount.name, ", ".join(sorted(claims)) or "none")]
        return []
    volumes = {v.name: v for v in pod_spec.volumes or []}
    volume = volumes.get(mount.name)
    if volume is None:
        return ["%s: mount %s names no volume of the pod" % (role, mount.name)]
    files = volume_files(volume, configmaps, secrets)
    if files is None:
        return ["%s: %s is on volume %s, which is neither a ConfigMap nor a Secret"
                % (role, path, mount.name)]
    if want == "file":
        if rel not in files:
            return ["%s: %s: volume %s has no file %s (it has %s)"
                    % (role, path, mount.name, rel, ", ".join(sorted(files)) or "none")]
        if files[rel][1] is None:
            return ["%s: %s: key %s is not in the volume's source" % (role, path, files[rel][0])]
        return []
    pubs = [p for p in files if p.startswith(rel + "/") and p.endswith(".pub")]
    if not pubs:
        return ["%s: %s: volume %s puts no .pub file in that folder" % (role, path, mount.name)]
    return [] if all(files[p][1] is not None for p in pubs) else \
        ["%s: %s: a .pub item's key is not in the Secret" % (role, path)]


def key_lines(data):
    """{'public': KEY, 'secret': KEY} of a .key or .pub file's text."""
    out = {}
    for line in (data or b"").decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("public", "secret"):
            out[parts[0]] = parts[1]
        elif len(parts) == 1 and not line.startswith("#"):
            out["public"] = parts[0]
    return out


def cmd_check(args):
    docs = [d for d in yaml.safe_load_all(open(args.rendered)) if d]
    rep = Report()
    typed, problems = load_typed(docs)
    rep.check("round trip through the API types (%d documents)" % len(docs), problems)

    sts = one(typed, client.V1StatefulSet, "StatefulSet")
    svc = one(typed, client.V1Service, "Service")
    job = one(typed, client.V1Job, "Job")
    pol = one(typed, client.V1NetworkPolicy, "NetworkPolicy")
    configmaps = {o.metadata.name: o for o in typed if isinstance(o, client.V1ConfigMap)}
    secrets = {o.metadata.name: o for o in typed if isinstance(o, client.V1Secret)}

    cpod, wpod = sts.spec.template.spec, job.spec.template.spec
    clabels, wlabels = sts.spec.template.metadata.labels, job.spec.template.metadata.labels
    coord, worker = container_of(cpod, "coordinator"), container_of(wpod, "worker")
    if coord is None or worker is None:
        raise SystemExit("FAIL: layout: expected containers 'coordinator' and 'worker'")
    cargs, wargs = (coord.command or []) + (coord.args or []), \
        (worker.command or []) + (worker.args or [])
    claims = {t.metadata.name for t in sts.spec.volume_claim_templates or []}

    rep.check("coordinator: one replica, selector matches its pods", [
        "replicas is %s, want 1 (one coordinator per database)" % sts.spec.replicas
        if sts.spec.replicas != 1 else "",
        "StatefulSet selector %s does not select its pod labels %s"
        % (sts.spec.selector.match_labels, clabels)
        if not selects(sts.spec.selector.match_labels, clabels) else "",
        "StatefulSet selector also selects the worker pods"
        if selects(sts.spec.selector.match_labels, wlabels) else "",
        "serviceName %s is not the Service %s" % (sts.spec.service_name, svc.metadata.name)
        if sts.spec.service_name != svc.metadata.name else "",
    ])

    cport = [p for p in coord.ports or [] if p.protocol in (None, "TCP")]
    bind_host, bind_port = endpoint(arg_after(cargs, "--bind"))
    problems = []
    if len(cport) != 1:
        problems.append("the coordinator container declares %d TCP ports, want 1" % len(cport))
    else:
        cport = cport[0]
        if bind_port != cport.container_port:
            problems.append("--bind %s does not listen on containerPort %s"
                            % (arg_after(cargs, "--bind"), cport.container_port))
        if bind_host not in ("0.0.0.0", "*"):
            problems.append("--bind host %s is not every interface" % bind_host)
    rep.check("coordinator: --bind is its containerPort", problems)

    conn_host, conn_port = endpoint(arg_after(wargs, "--connect"))
    sports = svc.spec.ports or []
    problems = []
    if not selects(svc.spec.selector, clabels):
        problems.append("Service selector %s does not select the coordinator's labels %s"
                        % (svc.spec.selector, clabels))
    if selects(svc.spec.selector, wlabels):
        problems.append("Service selector %s also selects the worker pods" % svc.spec.selector)
    if len(sports) != 1:
        problems.append("the Service has %d ports, want 1" % len(sports))
    elif isinstance(cport, client.V1ContainerPort):
        sp = sports[0]
        target = sp.target_port if sp.target_port is not None else sp.port
        if target not in (cport.container_port, cport.name):
            problems.append("Service targetPort %r is neither containerPort %s nor its name %r"
                            % (target, cport.container_port, cport.name))
        if conn_port != sp.port:
            problems.append("workers --connect port %s is not the Service port %s"
                            % (conn_port, sp.port))
    names = {svc.metadata.name, "%s.%s" % (svc.metadata.name, svc.metadata.namespace or "")}
    if conn_host is None or not (conn_host in names or
                                 conn_host.startswith(svc.metadata.name + ".")):
        problems.append("workers --connect %s does not name the Service %s"
                        % (arg_after(wargs, "--connect"), svc.metadata.name))
    rep.check("service: selects the coordinator, ports match container and --connect",
              problems)

    problems = []
    for role, pod in (("coordinator", cpod), ("worker", wpod)):
        vols = {v.name: v for v in pod.volumes or []}
        known = set(vols) | (claims if role == "coordinator" else set())
        for c in (pod.containers or []) + (pod.init_containers or []):
            for m in c.volume_mounts or []:
                if m.name not in known:
                    problems.append("%s: mount %s names no volume" % (role, m.name))
        used = {m.name for c in (pod.containers or []) + (pod.init_containers or [])
                for m in c.volume_mounts or []}
        for name in sorted(known - used):
            problems.append("%s: volume %s is mounted nowhere" % (role, name))
        for v in vols.values():
            if v.config_map is not None and v.config_map.name not in configmaps:
                problems.append("%s: volume %s wants ConfigMap %s; rendered: %s"
                                % (role, v.name, v.config_map.name, sorted(configmaps)))
            if v.secret is not None and v.secret.secret_name not in secrets:
                problems.append("%s: volume %s wants Secret %s; rendered: %s"
                                % (role, v.name, v.secret.secret_name, sorted(secrets)))
    spec_path = next((a for a in (coord.args or [])[1:2]), None)
    problems += path_problems("coordinator SPEC", coord, cpod, spec_path, "file",
                              configmaps, secrets, claims)
    problems += path_problems("coordinator --db", coord, cpod, arg_after(cargs, "--db"),
                              "claim", configmaps, secrets, claims)
    problems += path_problems("coordinator --key", coord, cpod, arg_after(cargs, "--key"),
                              "file", configmaps, secrets, claims)
    allow = arg_after(cargs, "--allow") or ""
    problems += path_problems("coordinator --allow", coord, cpod, allow,
                              "file" if allow.endswith(".pub") else "pubdir",
                              configmaps, secrets, claims)
    problems += path_problems("worker --key", worker, wpod, arg_after(wargs, "--key"),
                              "file", configmaps, secrets, claims)
    problems += path_problems("worker --server-key", worker, wpod,
                              arg_after(wargs, "--server-key"), "file",
                              configmaps, secrets, claims)
    rep.check("names: ConfigMap, Secret, volumes and the paths lrsweep is given agree",
              problems)

    problems = []
    for role, pod, c, cmdline in (("coordinator", cpod, coord, cargs),
                                  ("worker", wpod, worker, wargs)):
        own = arg_after(cmdline, "--key")
        for path, (data, mode) in secret_files(pod, c, secrets).items():
            if mode & 0o007:
                problems.append("%s: %s is readable by others (mode %o)" % (role, path, mode))
            if "secret" in key_lines(data) and path != own:
                problems.append("%s: sees the secret key %s besides its own (%s)"
                                % (role, path, own))
    cfiles, wfiles = secret_files(cpod, coord, secrets), secret_files(wpod, worker, secrets)
    ckey = key_lines(cfiles.get(arg_after(cargs, "--key"), (None,))[0])
    wkey = key_lines(wfiles.get(arg_after(wargs, "--key"), (None,))[0])
    spub = key_lines(wfiles.get(arg_after(wargs, "--server-key"), (None,))[0])
    allow = (arg_after(cargs, "--allow") or "").rstrip("/")
    allowed = {key_lines(d).get("public") for p, (d, m) in cfiles.items()
               if (p == allow or p.startswith(allow + "/")) and p.endswith(".pub")}
    if "secret" not in ckey or "secret" not in wkey:
        problems.append("the coordinator's or the worker's --key holds no secret key")
    if ckey.get("public") != spub.get("public"):
        problems.append("the workers' --server-key is not the coordinator key's public half")
    if wkey.get("public") not in allowed:
        problems.append("the worker key's public half is not in the coordinator's --allow")
    rep.check("keys: each pod sees only its own secret key; the pairs match", problems)

    problems = []
    if not selects(pol.spec.pod_selector.match_labels, clabels):
        problems.append("podSelector %s does not select the coordinator's labels %s"
                        % (pol.spec.pod_selector.match_labels, clabels))
    if selects(pol.spec.pod_selector.match_labels, wlabels):
        problems.append("podSelector also selects the workers")
    if "Ingress" not in (pol.spec.policy_types or []):
        problems.append("policyTypes %s lacks Ingress" % pol.spec.policy_types)
    rules = pol.spec.ingress or []
    if not rules:
        problems.append("no ingress rule: the workers could not connect")
    for r in rules:
        for peer in r._from or []:
            if peer.ip_block is not None or peer.namespace_selector is not None:
                problems.append("an ingress peer admits by address or namespace")
            elif peer.pod_selector is None or \
                    not selects(peer.pod_selector.match_labels, wlabels) or \
                    selects(peer.pod_selector.match_labels, clabels):
                problems.append("ingress from %s does not select exactly the worker pods %s"
                                % (peer.pod_selector and peer.pod_selector.match_labels,
                                   wlabels))
        if not r._from:
            problems.append("an ingress rule without 'from' admits every pod")
        ports = [(p.port, p.protocol or "TCP") for p in r.ports or []]
        if not ports or not isinstance(cport, client.V1ContainerPort) or \
                any(pp not in (cport.container_port, cport.name) or proto != "TCP"
                    for pp, proto in ports):
            problems.append("ingress ports %s are not exactly the coordinator's port %s"
                            % (ports, getattr(cport, "container_port", None)))
    rep.check("network policy: only workers reach the coordinator's port", problems)

    problems = []
    for role, pod in (("coordinator", cpod), ("worker", wpod)):
        for c in (pod.containers or []) + (pod.init_containers or []):
            if c.image_pull_policy != "IfNotPresent":
                problems.append("%s container %s: imagePullPolicy %s"
                                % (role, c.name, c.image_pull_policy))
            if c.image != args.image:
                problems.append("%s container %s: image %s, want %s"
                                % (role, c.name, c.image, args.image))
    rep.check("image %s, imagePullPolicy IfNotPresent everywhere" % args.image, problems)

    js = job.spec
    problems = []
    if js.completion_mode != "Indexed":
        problems.append("completionMode %s, want Indexed" % js.completion_mode)
    if js.parallelism != args.parallelism or js.completions != args.parallelism:
        problems.append("parallelism %s / completions %s, want %d"
                        % (js.parallelism, js.completions, args.parallelism))
    if js.backoff_limit is None:
        problems.append("no backoffLimit")
    if wpod.restart_policy not in ("OnFailure", "Never"):
        problems.append("restartPolicy %s" % wpod.restart_policy)
    idle = arg_after(wargs, "--idle-timeout")
    if not (idle or "").isdigit() or int(idle) <= 0:
        problems.append("--idle-timeout %r is not a positive number of seconds" % idle)
    if job.spec.selector is not None or job.spec.manual_selector:
        problems.append("the Job sets its own selector")
    name = arg_after(wargs, "--name") or ""
    refs = re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", name)
    env = {e.name: e for e in worker.env or []}
    if not refs:
        problems.append("--name %r does not use the pod's completion index" % name)
    for ref in refs:
        e = env.get(ref)
        if e is None or e.value_from is None or e.value_from.field_ref is None or \
                e.value_from.field_ref.field_path != INDEX_ANNOTATION:
            problems.append("--name uses $(%s), which is not the completion index (%s)"
                            % (ref, INDEX_ANNOTATION))
    if arg_after(cargs, "--linger") != "forever":
        problems.append("the coordinator runs without --linger forever")
    rep.check("workers: Indexed Job of %d, --idle-timeout, named by index; "
              "coordinator lingers" % args.parallelism, problems)

    problems = []
    for role, pod in (("coordinator", cpod), ("worker", wpod)):
        sc = pod.security_context
        if sc is None or sc.run_as_non_root is not True:
            problems.append("%s pod: runAsNonRoot is not true" % role)
        if sc is None or not sc.run_as_user:
            problems.append("%s pod: no non-zero runAsUser" % role)
        if sc is None or sc.fs_group is None:
            problems.append("%s pod: no fsGroup (the key files and the claim need it)" % role)
        for c in (pod.containers or []) + (pod.init_containers or []):
            csc = c.security_context
            if csc is None or csc.allow_privilege_escalation is not False:
                problems.append("%s/%s: allowPrivilegeEscalation is not false" % (role, c.name))
            if csc is None or csc.read_only_root_filesystem is not True:
                problems.append("%s/%s: readOnlyRootFilesystem is not true" % (role, c.name))
            if csc is None or csc.capabilities is None or \
                    "ALL" not in (csc.capabilities.drop or []):
                problems.append("%s/%s: capabilities are not all dropped" % (role, c.name))
            req = (c.resources and c.resources.requests) or {}
            if "cpu" not in req or "memory" not in req:
                problems.append("%s/%s: no cpu and memory requests" % (role, c.name))
    rep.check("security: non-root, no privilege escalation, read-only root, requests",
              problems)
    return 1 if rep.failures else 0


def secret_files(pod, container, secrets):
    """{path in the container: (bytes, mode)} of every Secret volume it mounts."""
    vols = {v.name: v for v in pod.volumes or []}
    out = {}
    for m in container.volume_mounts or []:
        v = vols.get(m.name)
        if v is None or v.secret is None:
            continue
        for path, (key, data, mode) in (volume_files(v, {}, secrets) or {}).items():
            out[m.mount_path.rstrip("/") + "/" + path] = (data, mode)
    return out


def cmd_stage(args):
    """Lays out the pods' files under ROOT, as the kubelet would."""
    docs = [d for d in yaml.safe_load_all(open(args.rendered)) if d]
    typed, problems = load_typed(docs)
    if problems:
        raise SystemExit("stage: the rendering does not load: %s" % problems[0])
    sts = one(typed, client.V1StatefulSet, "StatefulSet")
    job = one(typed, client.V1Job, "Job")
    configmaps = {o.metadata.name: o for o in typed if isinstance(o, client.V1ConfigMap)}
    secrets = {o.metadata.name: o for o in typed if isinstance(o, client.V1Secret)}
    as_root = os.geteuid() == 0
    claims = {t.metadata.name for t in sts.spec.volume_claim_templates or []}
    for role, pod, cname in (("coordinator", sts.spec.template.spec, "coordinator"),
                             ("worker", job.spec.template.spec, "worker")):
        c = container_of(pod, cname)
        group = pod.security_context.fs_group
        base = os.path.join(args.root, role)
        vols = {v.name: v for v in pod.volumes or []}
        moves = []
        for m in c.volume_mounts or []:
            here = base + m.mount_path
            os.makedirs(here, exist_ok=True)
            moves.append((m.mount_path.rstrip("/"), here))
            v = vols.get(m.name)
            files = volume_files(v, configmaps, secrets) if v is not None else None
            if files is None:   # an emptyDir or the claim: a folder of the fsGroup
                if as_root:
                    os.chown(here, 0, group)
                os.chmod(here, 0o2777 if m.name not in claims else 0o2775)
                continue
            for path, (key, data, mode) in files.items():
                target = os.path.join(here, path)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as f:
                    f.write(data or b"")
                # the kubelet adds group read for the fsGroup (0440 at least)
                mode = mode | 0o440 if group is not None else mode
                if as_root:
                    os.chown(target, 0, group)
                os.chmod(target, mode)
        moves.sort(key=lambda mv: -len(mv[0]))
        argv = []
        for a in (c.command or []) + (c.args or []):
            for root, here in moves:
                if a == root or a.startswith(root + "/"):
                    a = here + a[len(root):]
                    break
            a = re.sub(r"^tcp://[^:/]+:\d+$", "tcp://127.0.0.1:%d" % args.port, a)
            argv.append(a)
        with open(os.path.join(args.root, role + ".argv"), "w") as f:
            f.write("\n".join(argv) + "\n")
        with open(os.path.join(args.root, role + ".ids"), "w") as f:
            sc = pod.security_context
            f.write("%s %s %s\n" % (sc.run_as_user, sc.run_as_group, sc.fs_group))
        if c.working_dir:
            with open(os.path.join(args.root, role + ".cwd"), "w") as f:
                f.write(next((here + c.working_dir[len(root):] for root, here in moves
                              if c.working_dir.startswith(root)), c.working_dir) + "\n")
    for name, cm in configmaps.items():
        for key, text in (cm.data or {}).items():
            with open(os.path.join(args.root, "configmap-" + key), "w") as f:
                f.write(text)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("rendered")
    c.add_argument("--image", required=True)
    c.add_argument("--parallelism", type=int, required=True)
    s = sub.add_parser("stage")
    s.add_argument("rendered")
    s.add_argument("root")
    s.add_argument("--port", type=int, required=True)
    args = p.parse_args()
    return cmd_check(args) if args.cmd == "check" else cmd_stage(args)


if __name__ == "__main__":
    sys.exit(main())
