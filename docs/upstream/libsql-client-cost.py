#!/usr/bin/env python3
"""The cost of Spin's per-connection libSQL client (docs/upstream/spin-libsql-client-per-request.md).

Starts one `spin up` of the benchmark application (bench/spin.toml: the floor components and the
service) per variant, each with its own database, and measures, per request, the CPU time of
Spin's trigger process and of sqld (from /proc/<pid>/stat) and the throughput, for each path, in
interleaved rounds (every variant and path once per round; medians are reported).

    python3 docs/upstream/libsql-client-cost.py [N] [PATH...]     (default: 300 /bench/select/1)

Variants (VARIANTS, comma-separated): `file` (Spin's local SQLite file), `libsql` (a fresh sqld
on loopback, runtime config `type = "libsql"`), `libsql+bundle+no-dir` (with SSL_CERT_FILE set
to the system bundle and SSL_CERT_DIR to an empty directory: the same trusted CAs, loaded from
one file instead of file and directory), `libsql+one-cert+no-dir` (one CA only: what loading
costs next to nothing looks like). CONN (default 1) keep-alive connections, ROUNDS (default 5).
SPIN and SQLD name the binaries (default: ../shared/tools/spin and ../shared/tools/sqld).
Build the application first: scripts/bench does, or
    cargo build --release --target wasm32-wasip2 -p bench-floor-hello -p bench-floor-select \\
      -p bench-floor-insert -p profiles -p temporary-profiles -p consents -p token-issuer -p openapi
"""
import http.client, json, os, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPIN = os.environ.get("SPIN", os.path.join(ROOT, "..", "shared", "tools", "spin"))
SQLD = os.environ.get("SQLD", os.path.join(ROOT, "..", "shared", "tools", "sqld"))
CONNECTIONS = int(os.environ.get("CONN", "1"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))
VARIANTS = os.environ.get("VARIANTS", "file,libsql,libsql+bundle+no-dir,libsql+one-cert+no-dir").split(",")
TICK = os.sysconf("SC_CLK_TCK")
WORK = tempfile.mkdtemp(prefix="libsql-client-cost-")
# The floor component's table, with one row.
SCHEMA = ["CREATE TABLE IF NOT EXISTS customer (customer_number INTEGER PRIMARY KEY, first_name TEXT, surname TEXT)",
          "INSERT OR IGNORE INTO customer VALUES (1, 'Kari', 'Nordmann')"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait(url, process):
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            if process.poll() is not None:
                sys.exit(f"{url}: the process exited")
            time.sleep(0.1)
    sys.exit(f"{url} never answered")


def start(variant):
    d = os.path.join(WORK, variant)
    os.makedirs(d)
    env, args, sqld = dict(os.environ), [], None
    if variant.startswith("libsql"):
        port = free_port()
        sqld = subprocess.Popen([SQLD, "--db-path", os.path.join(d, "sqld"), "--http-listen-addr", f"127.0.0.1:{port}",
                                 "--no-welcome", "--disable-metrics"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(f"http://127.0.0.1:{port}/health", sqld)
        body = {"requests": [{"type": "execute", "stmt": {"sql": s}} for s in SCHEMA] + [{"type": "close"}]}
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/v2/pipeline", json.dumps(body).encode()))
        config = os.path.join(d, "runtime-config.toml")
        with open(config, "w") as f:
            f.write(f'[sqlite_database.default]\ntype = "libsql"\nurl = "http://127.0.0.1:{port}"\ntoken = "unused-locally"\n')
        args = ["--runtime-config-file", config]
        if "bundle" in variant:
            env["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt"
        if "one-cert" in variant:
            one = os.path.join(WORK, "one-cert.pem")
            with open("/etc/ssl/certs/ca-certificates.crt") as bundle, open(one, "w") as out:
                out.write(bundle.read().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n")
            env["SSL_CERT_FILE"] = one
        if "no-dir" in variant:
            env["SSL_CERT_DIR"] = os.path.join(WORK, "empty")
            os.makedirs(env["SSL_CERT_DIR"], exist_ok=True)
    else:
        db = sqlite3.connect(os.path.join(d, "sqlite_db.db"))
        for s in SCHEMA:
            db.execute(s)
        db.commit()
        db.close()
    port = free_port()
    spin = subprocess.Popen([SPIN, "up", "-f", os.path.join(ROOT, "bench", "spin.toml"), "--listen", f"127.0.0.1:{port}",
                             "--state-dir", d] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wait(f"http://127.0.0.1:{port}/bench/hello", spin)
    pgrep = subprocess.run(["pgrep", "-f", f"trigger http --listen 127.0.0.1:{port}"], capture_output=True, text=True)
    return {"variant": variant, "port": port, "spin": spin, "sqld": sqld, "trigger": int(pgrep.stdout.split()[0])}


def cpu_ms(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK  # utime + stime


def client(host, path, n):
    conn = http.client.HTTPConnection("127.0.0.1", host["port"])
    for _ in range(n):
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (host["variant"], path, response.status)


def measure(host, path, n):
    client(host, path, 20)  # warm
    n = n // CONNECTIONS * CONNECTIONS
    sqld = host["sqld"].pid if host["sqld"] else None
    spin_before, sqld_before, started = cpu_ms(host["trigger"]), cpu_ms(sqld) if sqld else 0, time.time()
    threads = [threading.Thread(target=client, args=(host, path, n // CONNECTIONS)) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.time() - started
    sqld_cpu = (cpu_ms(sqld) - sqld_before) / n if sqld else 0.0
    return (cpu_ms(host["trigger"]) - spin_before) / n, sqld_cpu, n / seconds


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    paths = sys.argv[2:] or ["/bench/select/1"]
    load_before = open("/proc/loadavg").read().split()[:3]
    hosts = [start(v) for v in VARIANTS]
    results = {}
    try:
        for _ in range(ROUNDS):
            for path in paths:
                for host in hosts:
                    results.setdefault((host["variant"], path), []).append(measure(host, path, n))
    finally:
        for host in hosts:
            os.killpg(host["spin"].pid, signal.SIGKILL)
            if host["sqld"]:
                host["sqld"].kill()
    median = lambda xs: sorted(xs)[len(xs) // 2]
    print(f"load average before {load_before}, after {open('/proc/loadavg').read().split()[:3]}; "
          f"{n} requests per window, {CONNECTIONS} connection(s), medians of {ROUNDS} rounds")
    print("| variant | path | Spin CPU per request | sqld CPU per request | requests/s |")
    print("|---|---|---|---|---|")
    for path in paths:
        for v in VARIANTS:
            xs = results[(v, path)]
            print(f"| {v} | {path} | {median([x[0] for x in xs]):.2f} ms | {median([x[1] for x in xs]):.2f} ms "
                  f"| {median([x[2] for x in xs]):.0f} |")


main()
