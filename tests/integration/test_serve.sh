#!/usr/bin/env bash
# test_serve.sh — `lrsweep serve` over HTTP: every route against the
# database and the commands that print the same data, the refusals (404,
# 405, 400, 401, 403, 414), hostile requests (long URLs, bad % escapes, NUL
# bytes, path traversal, SQL-looking names, garbage instead of HTTP) that
# must get a 4xx and leave the server answering, the security headers on
# every response, the token (header and ?token=), TLS with a self-signed
# certificate made here by openssl, the bind rules (a reachable address
# needs a token and TLS unless --insecure), and a clean stop on SIGTERM and
# SIGINT.  The database file is byte-for-byte unchanged after it all.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

cp "$EXAMPLES/wine.csv" .
sed -e 's/^trials: 500/trials: 16/' -e 's/epochs: 60/epochs: 6/' -e 's/T_max: 60/T_max: 6/' \
    "$EXAMPLES/wine-lr.yaml" >w.yaml
check
"$LRSWEEP" run w.yaml --db w.db --workers 2 --quiet >run.out 2>&1 || { fail "run exited $?"; cat run.out; }
SWEEP=$(sqlite3 -cmd ".timeout 3000" w.db "SELECT name FROM sweeps")

# --help explains every flag of the usage line
check
"$LRSWEEP" serve --help >help.out || fail "serve --help exited $?"
for flag in --db --bind --token --token-file --tls-cert --tls-key --insecure --help; do
    grep -qE -- "^  $flag( |$)" help.out || fail "--help does not explain $flag"
done
expect_status serve usage 2 "--bind: expected tcp://HOST:PORT or HOST:PORT" --db w.db --bind nonsense
expect_status serve usage 2 "--bind: serve listens on TCP only" --db w.db --bind ipc:///tmp/x
expect_status serve usage 2 "'example.org' is not an IP address" --db w.db --bind example.org:80
expect_status serve usage 2 "without a token and TLS" --db w.db --bind 0.0.0.0:0
expect_status serve usage 2 "without TLS" --db w.db --bind tcp://0.0.0.0:0 --token abc
expect_status serve usage 2 "--tls-cert needs --tls-key too" --db w.db --tls-cert x.pem
expect_status serve usage 2 "--token and --token-file" --db w.db --token a --token-file f
expect_status serve usage 2 "cannot read database" --db no-such.db

# serve ARGS...: starts a server in the background; sets SRV_PID and URL
serve() {
    rm -f srv.out srv.err   # not the last server's address
    "$LRSWEEP" serve "$@" >srv.out 2>srv.err &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    URL=
    for _ in $(seq 100); do
        URL=$(grep -oE 'https?://[^ ]+/' srv.out | head -1)
        [ -n "$URL" ] && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.05
    done
    fail "serve $* did not start: $(cat srv.err)"
    return 1
}
# stop SIGNAL: the server must exit 0 saying it stopped
stop() {
    check
    kill -"$1" "$SRV_PID"
    wait "$SRV_PID"
    local st=$?
    [ "$st" -eq 0 ] || fail "serve exited $st on SIG$1: $(cat srv.err)"
    grep -q "lrsweep serve: stopped" srv.out || fail "serve did not say it stopped on SIG$1"
}

md5_before=$(md5sum w.db | cut -d' ' -f1)
"$LRSWEEP" export --db w.db --format jsonl >export.jsonl
"$LRSWEEP" export --db w.db --format csv >export.csv
"$LRSWEEP" export --db w.db --format jsonl --curves >curves.jsonl
"$LRSWEEP" sweeps --db w.db --json >sweeps.jsonl

serve --db w.db --bind 127.0.0.1:0
check
$PY - "$URL" "$SWEEP" <<'PY' || fail "HTTP checks (above)"
import json, socket, sqlite3, sys, urllib.parse
base, sweep = sys.argv[1], sys.argv[2]
host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
bad = []
def raw(request, timeout=10):
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(request)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body
def get(path, method="GET", headers=(), host_header="127.0.0.1"):
    req = "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % (method, path, host_header)
    for h in headers: req += h + "\r\n"
    return raw(req.encode("latin-1") + b"\r\n")
def want(path, code, **kw):
    st, h, body = get(path, **kw)
    if st != code:
        bad.append("%s %s: %d, want %d (%r)" % (kw.get("method", "GET"), path[:80], st, code, body[:200]))
    if st and not h.get("content-security-policy", "").startswith("default-src 'none'"):
        bad.append("%s: no Content-Security-Policy" % path[:80])
    if st and h.get("x-content-type-options") != "nosniff":
        bad.append("%s: no nosniff" % path[:80])
    if any(k.startswith("access-control-") for k in h):
        bad.append("%s: a CORS header" % path[:80])
    return st, h, body
q = urllib.parse.quote(sweep, safe="")
db = sqlite3.connect("file:w.db?mode=ro", uri=True)
recorded = db.execute("SELECT COUNT(*) FROM trials WHERE trial < 1000000000").fetchone()[0]
# the routes, each against what the commands print or the database holds
st, h, body = want("/", 200)
if ('href="/sweeps/%s"' % q).encode() not in body: bad.append("/ does not link the sweep")
st, h, body = want("/api/sweeps", 200)
if json.loads(body) != [json.loads(l) for l in open("sweeps.jsonl")]:
    bad.append("/api/sweeps is not `sweeps --json`")
st, h, body = want("/api/sweeps/%s/status" % q, 200)
s = json.loads(body)
if s["recorded"] != recorded or s["complete"] + s["diverged"] + s["failed"] + s["pruned"] != recorded:
    bad.append("status %r, %d recorded" % (s, recorded))
st, h, body = want("/api/sweeps/%s" % q, 200)
doc = json.loads(body)
if sorted(doc) != sorted(["header", "trials", "groups", "curves", "parallel", "importance", "top", "failures"]):
    bad.append("report documents: %r" % sorted(doc))
elif len(doc["trials"]["trial"]) != recorded or doc["header"]["sweep"] != sweep:
    bad.append("report trials %d, %d recorded" % (len(doc["trials"]["trial"]), recorded))
st, h, body = want("/api/sweeps/%s?top=3" % q, 200)
if len(json.loads(body)["top"]) != min(3, recorded): bad.append("?top=3 ignored")
st, h, body = want("/api/sweeps/%s/trials" % q, 200)
if body != open("export.jsonl", "rb").read(): bad.append("/trials is not `export --format jsonl`")
st, h, body = want("/api/sweeps/%s/trials?format=csv" % q, 200)
if body != open("export.csv", "rb").read(): bad.append("/trials?format=csv is not `export`")
st, h, body = want("/api/sweeps/%s/curves" % q, 200)
if body != open("curves.jsonl", "rb").read(): bad.append("/curves is not `export --curves`")
st, h, body = want("/api/sweeps/%s/trials?trial=3" % q, 200)
if [json.loads(l)["trial"] for l in body.splitlines()] != [3]: bad.append("?trial=3: %r" % body[:100])
st, h, body = want("/sweeps/%s" % q, 200)
if b"connect-src 'self'" not in body or b"lrsweepRender" not in body or b"/status" not in body:
    bad.append("the live page lacks its policy or its script")
want("/", 200, method="HEAD")
# refusals
for path in ("/nope", "/api", "/api/sweeps/%s/nope" % q, "/api/sweeps/%s/trials/3" % q,
             "/sweeps/", "/sweeps//x", "/static/../../etc/passwd", "/../../../../etc/passwd",
             "/sweeps/..%2F..%2F..%2Fetc%2Fpasswd", "/api/sweeps/%2E%2E",
             "/api/sweeps/" + urllib.parse.quote("x' OR '1'='1", safe=""),
             "/api/sweeps/" + urllib.parse.quote("x'; DROP TABLE trials; --", safe="")):
    want(path, 404)
for path in ("/api/sweeps/x%zz", "/api/sweeps/x%4", "/api/sweeps/a%00b", "/sweeps/%",
             "/api/sweeps/%s?top=0" % q, "/api/sweeps/%s?top=1e3" % q,
             "/api/sweeps/%s?top=%%31%%00" % q, "/api/sweeps/%s/trials?format=xml" % q,
             "/api/sweeps/%s/trials?trial=-1" % q, "/api/sweeps/%s/trials?limit=1" % q,
             "/?" + "&".join("a%d=1" % i for i in range(20)),
             "/api/sweeps/%s/status?x=%%zz" % q):
    want(path, 400)
for m in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
    st, h, body = want("/api/sweeps", 405, method=m)
    if st == 405 and h.get("allow") != "GET, HEAD": bad.append("405 without Allow: %r" % h)
want("/api/sweeps", 403, host_header="evil.example")
want("/api/sweeps", 403, host_header="127.0.0.1.evil.example:80")
want("/api/sweeps", 200, host_header="localhost:%d" % port)
st, h, body = want("/" + "a" * 3000, 414)
# requests libmicrohttpd itself refuses: a 4xx or a closed connection, never a crash
for req in (b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /api/sweeps/nosuch\x00/../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"GET /a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"b" * 100000 + b"\r\n\r\n",
            b"HELLO\r\n\r\n", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 64,
            b"GET / HTTP/9.9\r\n\r\n"):
    st, h, body = raw(req, timeout=3)
    if st != 0 and not 400 <= st < 500 and st != 505:
        bad.append("hostile request %r: %d" % (req[:30], st))
st, h, body = want("/api/sweeps", 200)   # still answering
for b in bad: print("PROBLEM:", b)
sys.exit(1 if bad else 0)
PY
stop TERM

# the token: the header, ?token=, the pages' links keep it; a Host is then not checked
printf 'c0ffee%s\n' "$RANDOM$RANDOM" >token
TOKEN=$(head -1 token)
serve --db w.db --bind tcp://127.0.0.1:0 --token-file token
check
$PY - "$URL" "$TOKEN" "$SWEEP" <<'PY' || fail "token checks (above)"
import sys, urllib.error, urllib.parse, urllib.request
base, token, sweep = sys.argv[1:]
bad = []
def code(path, headers={}):
    try:
        with urllib.request.urlopen(urllib.request.Request(base.rstrip("/") + path, headers=headers)) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("WWW-Authenticate")
for path, hdr, want in (("/api/sweeps", {}, 401), ("/api/sweeps?token=wrong", {}, 401),
                        ("/api/sweeps?token=" + token[:-1], {}, 401),
                        ("/api/sweeps", {"Authorization": "Bearer " + token + "x"}, 401),
                        ("/api/sweeps", {"Authorization": "Basic " + token}, 401),
                        ("/api/sweeps", {"Authorization": "Bearer " + token}, 200),
                        ("/api/sweeps?token=" + token, {}, 200),
                        ("/api/sweeps?token=" + token, {"Host": "elsewhere.example"}, 200),
                        ("/sweeps/nope?token=" + token, {}, 404)):
    got, extra = code(path, hdr)
    if got != want: bad.append("%s %r: %d, want %d" % (path, hdr, got, want))
    if got == 401 and not (extra or "").startswith("Bearer"): bad.append("401 without WWW-Authenticate")
got, page = code("/?token=" + token)
link = 'href="/sweeps/%s?token=%s"' % (urllib.parse.quote(sweep, safe=""), token)
if got != 200 or link.encode() not in page: bad.append("/ does not keep the token in its links")
for b in bad: print("PROBLEM:", b)
sys.exit(1 if bad else 0)
PY
stop INT

# TLS with a self-signed certificate, on every address (token and TLS: no --insecure needed)
check
if openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
        -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost >openssl.out 2>&1; then
    serve --db w.db --bind '*:0' --token "$TOKEN" --tls-cert cert.pem --tls-key key.pem
    check
    case $URL in https://0.0.0.0:*) ;; *) fail "TLS server says $URL" ;; esac
    PORT=${URL##*:}; PORT=${PORT%/}
    $PY - "$PORT" "$TOKEN" <<'PY' || fail "TLS checks (above)"
import ssl, sys, urllib.error, urllib.request
port, token = sys.argv[1:]
bad = []
ctx = ssl.create_default_context(cafile="cert.pem")
req = urllib.request.Request("https://127.0.0.1:%s/api/sweeps" % port,
                             headers={"Authorization": "Bearer " + token})
with urllib.request.urlopen(req, context=ctx) as r:
    if r.status != 200: bad.append("https: %d" % r.status)
try:
    urllib.request.urlopen("https://127.0.0.1:%s/api/sweeps" % port, context=ctx)
    bad.append("https without the token answered")
except urllib.error.HTTPError as e:
    if e.code != 401: bad.append("https without the token: %d" % e.code)
try:
    urllib.request.urlopen("http://127.0.0.1:%s/api/sweeps" % port, timeout=5)
    bad.append("plain HTTP answered on the TLS port")
except Exception:
    pass
for b in bad: print("PROBLEM:", b)
sys.exit(1 if bad else 0)
PY
    stop TERM
    expect_status serve usage 2 "the TLS certificate and key do not load" --db w.db --bind 127.0.0.1:0 \
        --tls-cert key.pem --tls-key cert.pem
else
    fail "openssl req failed (deploy/install-deps.sh installs openssl): $(cat openssl.out)"
fi

# --insecure lets a reachable bind go without either
serve --db w.db --bind 0.0.0.0:0 --insecure
check
PORT=${URL##*:}; PORT=${PORT%/}
$PY -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:$PORT/api/sweeps').status != 200)" ||
    fail "--insecure server did not answer"
stop TERM

check
[ "$(md5sum w.db | cut -d' ' -f1)" = "$md5_before" ] || fail "the database changed while served"

# a stored name carrying markup shows as text on the sweeps page and the live page
cp w.db h.db
HOSTILE='<script>window.pwned=1</script>"'"'"'><img src=x onerror=alert(1)>'
sqlite3 h.db "UPDATE sweeps SET name = '${HOSTILE//\'/\'\'}'"
serve --db h.db --bind 127.0.0.1:0
check
$PY - "$URL" "$HOSTILE" <<'PY' || fail "escaping checks (above)"
import sys, urllib.parse, urllib.request
base, name = sys.argv[1:]
bad = []
home = urllib.request.urlopen(base).read().decode()
page = urllib.request.urlopen(base + "sweeps/" + urllib.parse.quote(name, safe="")).read().decode()
for what, body in (("/", home), ("the live page", page)):
    if "<script>window.pwned" in body or "<img src=x" in body:
        bad.append("%s carries the name's markup unescaped" % what)
    if "&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;&#39;&gt;&lt;img" not in body:
        bad.append("%s does not show the name escaped" % what)
if ('href="/sweeps/' + urllib.parse.quote(name, safe="-._~") + '"') not in home:
    bad.append("/ does not link the name %-encoded")
for b in bad: print("PROBLEM:", b)
sys.exit(1 if bad else 0)
PY
stop TERM
summary
