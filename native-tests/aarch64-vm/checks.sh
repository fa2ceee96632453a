#!/bin/sh
# The end-to-end checks that scripts/test-aarch64 runs inside the arm64 VM, as root on
# Debian's arm64 kernel, with the aarch64 sandboxrun and probe that the host cross-built.
#
# Every check prints one line, `ok - ...`, `not ok - ...` or `skip - ...` (with `#`
# lines of detail after a failure), and the last line is "aarch64-vm: N passed, N failed,
# N skipped". Exit 0 only when nothing failed and something passed.
#
# The payload in /sr, made by the host:
#   sandboxrun, probe (aarch64, dynamic), probe-arm (32-bit arm EABI, static)
#   seed-004.names       the syscalls of Docker's documented blocked list (seeds/004)
#   profiles/*.json      the profiles whose compiled programs are compared
#   expected/P.A.{raw,err,rc}  what the x86_64 build made of profile P for arch A
#   expected/check-aarch64.txt what the x86_64 build's `check --arch aarch64` said
#   kernel               the X.Y the host passed as --kernel
set -u
SR=/sr/sandboxrun
P64=/sr/probe
P32=/sr/probe-arm
passed=0 failed=0 skipped=0
nl='
'
begun=$(date +%s)
section_start=
# section TITLE: a heading, after the time the section before took.
section() {
    now=$(date +%s)
    [ -z "$section_start" ] || echo "   ($((now - section_start)) s)"
    section_start=$now
    echo "== $*"
}

ok() { passed=$((passed + 1)); echo "ok - $*"; }
skip() { skipped=$((skipped + 1)); echo "skip - $*"; }
bad() {
    failed=$((failed + 1))
    echo "not ok - $1"
    shift
    for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}

# Syscalls of the list that today's profile allows (the list is of 2016): clock_adjtime
# and name_to_handle_at unconditionally, ptrace and process_vm_readv/writev from kernel
# 4.8 on. native-tests/SandboxRun.EndToEnd/AttackSpecs.cs keeps the same list for x86_64.
allowed_since_the_list=" clock_adjtime name_to_handle_at process_vm_readv process_vm_writev ptrace "

# agree ABI PROBE PREFIX NAME [ARGS]: the probe's call NAME without a filter (the control),
# `sandboxrun check` of the same call with the same arguments (PREFIX "arm:" for the compat
# ABI) and the call under `sandboxrun run` (docker-default): the kernel's answer must be
# the one check predicts. Sets $verdict: allow, errno:<NAME>, kill, absent or error.
agree() {
    abi=$1 probe=$2 prefix=$3 name=$4
    shift 4
    label="$abi $name${*:+ $*}"
    verdict=error
    desc=$("$probe" describe "$name" "$@")
    rc=$?
    if [ "$rc" -eq 200 ]; then
        verdict=absent
        skip "$label: no such syscall on $abi"
        return
    elif [ "$rc" -ne 0 ]; then
        bad "$label: probe describe failed (exit $rc)" "$desc"
        return
    fi
    control=$("$probe" call "$name" "$@" 2>&1)
    c=$?
    said=$("$SR" check --profile docker-default "$prefix$desc" 2>&1)
    s=$?
    under=$("$SR" -- "$probe" call "$name" "$@" 2>&1)
    u=$?
    # "NAME(0x..,..): SCMP_ACT_X(...) (allowed)  [aarch64 nr N]" and indented lines: the
    # action by the shell's own expansions (a process costs ~80 ms under TCG).
    action=${said%%"$nl"*}
    action=${action#*: }
    action=${action%% *}
    case "$s:$action" in
        0:SCMP_ACT_ALLOW)
            verdict=allow
            if [ "$u" -eq "$c" ] && [ "$under" = "$control" ]; then
                ok "$label: check says allowed; the kernel answered as without a filter ($under)"
            else
                bad "$label: check says allowed, but the filter changed the answer" \
                    "check: $said" "control (exit $c): $control" "under (exit $u): $under"
            fi
            ;;
        1:SCMP_ACT_ERRNO\(*\))
            e=${action#SCMP_ACT_ERRNO(}
            e=${e%)}
            verdict=errno:$e
            if [ "$under" = "$name errno=$e ret=-1" ] && [ "$control" != "$under" ]; then
                ok "$label: check says $action; the kernel answered $e (without a filter: ${control#"$name "})"
            else
                bad "$label: check says $action, the kernel did not answer it (or also without a filter)" \
                    "check: $said" "control (exit $c): $control" "under (exit $u): $under"
            fi
            ;;
        1:SCMP_ACT_KILL*)
            verdict='kill'
            if [ "$u" -eq 159 ]; then
                ok "$label: check says $action; the probe died of SIGSYS"
            else
                bad "$label: check says $action, the probe exited $u" "check: $said" "under: $under"
            fi
            ;;
        *)
            bad "$label: unexpected check answer (exit $s)" "$said"
            ;;
    esac
}

# documented ABI PROBE PREFIX: Docker's documented list (seeds/004), each name the ABI has:
# EPERM under docker-default, never EPERM without it, and check agreeing; the names the
# profile allows since the list was written: allowed, the kernel's answer untouched.
documented() {
    abi=$1 probe=$2 prefix=$3
    for name in $(cat /sr/seed-004.names); do
        set --
        # The list's row is "socket, socketcall: all but AF_UNIX, AF_INET, AF_INET6,
        # AF_NETLINK and AF_PACKET": AF_VSOCK (40) is one of those denied.
        [ "$name" = socket ] && set -- 40 1 0
        agree "$abi" "$probe" "$prefix" "$name" "$@"
        case "$allowed_since_the_list:$verdict" in
            *" $name "*:allow) ok "$abi $name: allowed by today's profile, as since the list was written" ;;
            *" $name "*:absent | *:absent) ;;
            *" $name "*:*) bad "$abi $name: today's profile allows it, yet: $verdict" ;;
            *:errno:EPERM) ok "$abi $name: on Docker's documented list, denied with EPERM" ;;
            *) bad "$abi $name: on Docker's documented list, but: $verdict" ;;
        esac
    done
}

# expect LABEL WANT_STATUS WANT_OUTPUT COMMAND...: runs COMMAND and compares.
expect() {
    label=$1 want_status=$2 want=$3
    shift 3
    got=$("$@" 2>&1)
    status=$?
    if [ "$status" -eq "$want_status" ] && [ "$got" = "$want" ]; then
        ok "$label"
    else
        bad "$label" "command: $*" "want (exit $want_status): $want" "got (exit $status): $got"
    fi
}

section "the machine"
echo "kernel: $(uname -srvm)"
echo "cpu: $(grep -m 1 -E '^CPU implementer' /proc/cpuinfo) $(grep -m 1 -E '^CPU part' /proc/cpuinfo), $(grep -c ^processor /proc/cpuinfo) cpus"
echo "features: $(grep -m 1 ^Features /proc/cpuinfo | cut -d: -f2)"
echo "sandboxrun: $("$SR" --version 2>&1)"
case "$("$SR" --version 2>&1)" in
    [0-9]*.[0-9]*) ok "sandboxrun --version runs natively" ;;
    *) bad "sandboxrun --version" "$("$SR" --version 2>&1)" ;;
esac
case "$(uname -m)" in
    aarch64) ok "uname -m is aarch64" ;;
    *) bad "uname -m is $(uname -m), not aarch64" ;;
esac
expect "no filter on the test shell itself" 0 "Seccomp:	0" grep '^Seccomp:' /proc/self/status

section "Docker's documented denials (seeds/004), aarch64"
documented aarch64 "$P64" ""

section "arguments with high bits set, aarch64"
# Docker's rules compare 64-bit values; the kernel reads an int from the low half.
agree aarch64 "$P64" "" socket 0x100000026 1 0          # a0 > 40: allowed; the kernel sees AF_ALG
agree aarch64 "$P64" "" socket 0xffffffff00000001 1 0   # a0 > 40: allowed; the kernel sees AF_UNIX
agree aarch64 "$P64" "" personality 0x100000008         # not == 8: denied, the kernel would see 8
agree aarch64 "$P64" "" personality 0x100000000         # not == 0: denied
agree aarch64 "$P64" "" personality 0xffffffff          # == 0xffffffff: allowed (a query)
agree aarch64 "$P64" "" clone 0x100020200             # CLONE_NEWNS|CLONE_FS and bit 32: denied (the mask sees NEWNS)
agree aarch64 "$P64" "" clone 0x100010000             # CLONE_THREAD and bit 32: allowed; EINVAL (no CLONE_SIGHAND)
under=$("$SR" -- "$P64" socket-high 2>&1)
case "$under" in
    *"reached the kernel"*) ok "probe socket-high under docker-default reaches the kernel as Docker's 64-bit rule lets it" ;;
    *) bad "probe socket-high under docker-default" "$under" ;;
esac

section "the probe's other calls, aarch64"
expect "threads: 4 threads each get getpid under docker-default" 0 \
    "$(printf 'thread %d: getpid errno=0 ret=X\n' 0 1 2 3)
threads: 4 started, 4 joined" \
    sh -c "\"$SR\" -- \"$P64\" threads 4 | sed 's/ret=[0-9]*/ret=X/'"
expect "threads: 4 threads each get EPERM from mount under docker-default" 0 \
    "$(printf 'thread %d: mount errno=EPERM ret=-1\n' 0 1 2 3)
threads: 4 started, 4 joined" \
    "$SR" -- "$P64" threads 4 mount
expect "fork-exec: a child of the sandboxed probe runs /bin/true" 0 \
    "fork-exec: child X exited 0" sh -c "\"$SR\" -- \"$P64\" fork-exec /bin/true | sed 's/child [0-9]*/child X/'"
expect "fork-exec: a child inherits the filter (unshare -U gets EPERM)" 0 \
    "unshare: unshare failed: Operation not permitted
fork-exec: child X exited 1" sh -c "\"$SR\" -- \"$P64\" fork-exec unshare -U true 2>&1 | sed 's/child [0-9]*/child X/'"
agree aarch64 "$P64" "" clone3
clone3=$("$SR" -- "$P64" clone3 2>&1)
case "$clone3" in
    *"clone3: fork ok"*"clone3: pthread_create ok"*) ok "clone3: glibc's fork and pthread_create work under docker-default ($(echo "$clone3" | head -n 1))" ;;
    *) bad "clone3: glibc's fork and pthread_create under docker-default" "$clone3" ;;
esac
expect "sigmask: the program starts with no blocked signal and SIGPIPE at default" 0 \
    "$("$P64" sigmask 2>&1)" "$SR" -- "$P64" sigmask
expect "fds: the program gets the same fds as without sandboxrun" 0 \
    "$("$P64" fds 2>&1 | sed 's/:\[[0-9]*\]/:[N]/')" sh -c "\"$SR\" -- \"$P64\" fds | sed 's/:\\[[0-9]*\\]/:[N]/'"

section "real programs under docker-default"
expect "sh: echo" 0 "hello from sh" "$SR" -- sh -c 'echo hello from sh'
expect "sh: the filter is on, mode 2, with no_new_privs" 0 "Seccomp:	2
NoNewPrivs:	1" "$SR" -- sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | sort -r'
expect "coreutils: mkdir, cp, sort, ls, wc, sha256sum, rm" 0 "a
b
2
ok" "$SR" -- sh -c 'set -e; d=$(mktemp -d); printf "b\na\n" > $d/f; cp $d/f $d/g; sort $d/g; ls $d | wc -l; sha256sum $d/f $d/g | cut -d" " -f1 | uniq | wc -l | sed s/^1$/ok/; rm -r $d'
expect "coreutils: date, id, uname, env" 0 "0
aarch64
X=1" env X=1 "$SR" -- sh -c 'date > /dev/null && id -u && uname -m && env | grep ^X='
# shellcheck disable=SC2016
expect "python3: threads, a subprocess, a socketpair, os.fork" 0 "python3 ok 8 0 b'x' 0" \
    "$SR" -- python3 -c '
import os, socket, subprocess, threading
out = []
ts = [threading.Thread(target=lambda: out.append(os.getpid())) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
rc = subprocess.run(["/bin/true"]).returncode
a, b = socket.socketpair(); a.send(b"x")
pid = os.fork()
if pid == 0: os._exit(0)
print("python3 ok", len(out), rc, b.recv(1), os.waitpid(pid, 0)[1])'
expect "python3: a denied call raises EPERM (socket(AF_VSOCK))" 0 "PermissionError 1" \
    "$SR" -- python3 -c '
import socket
try: socket.socket(40, socket.SOCK_STREAM)
except OSError as e: print(type(e).__name__, e.errno)'
expect "unshare without sandboxrun works (the control)" 0 "" unshare -U true
expect "unshare -U under docker-default: EPERM" 1 "unshare: unshare failed: Operation not permitted" "$SR" -- unshare -U true

section "compile: this build (native aarch64) against the x86_64 build's output"
kernel=$(cat /sr/kernel)
case "$(uname -r)" in
    "$kernel".*) ok "the running kernel is $(uname -r), the $kernel the host compiled for" ;;
    *) bad "the running kernel is $(uname -r), the host compiled for $kernel" ;;
esac
for profile in docker-default profiles/*.json; do
    case "$profile" in
        */*) base=$(basename "$profile" .json) ;;
        *) base=builtin-$profile ;; # profiles/docker-default.json is another
    esac
    for arch in aarch64 x86_64; do
        # Natively: no --arch and no --kernel (this machine, the running kernel); the host
        # passed --arch aarch64 --kernel X.Y. For x86_64 the other way round.
        if [ "$arch" = aarch64 ]; then
            "$SR" compile --profile "$profile" --format raw > /tmp/c.raw 2> /tmp/c.err
        else
            "$SR" compile --profile "$profile" --arch x86_64 --kernel "$kernel" --format raw > /tmp/c.raw 2> /tmp/c.err
        fi
        echo $? > /tmp/c.rc
        want=expected/$base.$arch
        if cmp -s /tmp/c.raw "$want.raw" && cmp -s /tmp/c.err "$want.err" && cmp -s /tmp/c.rc "$want.rc"; then
            ok "compile $base for $arch: byte-identical to the x86_64 build's ($(wc -c < /tmp/c.raw) bytes, exit $(cat /tmp/c.rc))"
        else
            bad "compile $base for $arch: differs from the x86_64 build's" \
                "exit $(cat /tmp/c.rc), want $(cat "$want.rc"); $(wc -c < /tmp/c.raw) bytes, want $(wc -c < "$want.raw")" \
                "$(cmp /tmp/c.raw "$want.raw" 2>&1)" "$(diff /tmp/c.err "$want.err" 2>&1)"
        fi
    done
done
# shellcheck disable=SC2046
"$SR" check --profile docker-default $(cat /sr/seed-004.names) > /tmp/check.txt 2>&1
echo "exit $?" >> /tmp/check.txt
if cmp -s /tmp/check.txt expected/check-aarch64.txt; then
    ok "check of the documented list: the same text as the x86_64 build's check --arch aarch64"
else
    bad "check of the documented list differs from the x86_64 build's" "$(diff /tmp/check.txt expected/check-aarch64.txt)"
fi

section "compat: 32-bit arm (AArch32) processes"
if [ ! -x "$P32" ]; then
    skip "compat arm: no 32-bit arm probe was built (no arm-linux-gnueabihf-gcc on the host)"
elif ! arm=$("$P32" describe getpid 2>&1); then
    skip "compat arm: this CPU or kernel runs no AArch32 code ($arm)"
else
    ok "compat arm: a 32-bit arm EABI program runs ($(od -An -tx1 -j4 -N1 "$P32" | tr -d ' ') = ELFCLASS32; $arm)"
    documented arm "$P32" "arm:"
    section "compat arm: more calls"
    agree arm "$P32" "arm:" personality 0xffffffff
    agree arm "$P32" "arm:" socket 1 1 0
    agree arm "$P32" "arm:" clone3
    agree arm "$P32" "arm:" close 0xffffffff
    expect "compat arm: threads get EPERM from mount under docker-default" 0 \
        "$(printf 'thread %d: mount errno=EPERM ret=-1\n' 0 1)
threads: 2 started, 2 joined" \
        "$SR" -- "$P32" threads 2 mount
    expect "compat arm: a 32-bit process forks and execs a 64-bit one, which inherits the filter" 0 \
        "unshare: unshare failed: Operation not permitted
fork-exec: child X exited 1" sh -c "\"$SR\" -- \"$P32\" fork-exec unshare -U true 2>&1 | sed 's/child [0-9]*/child X/'"
fi

section "done in $(($(date +%s) - begun)) s"
echo "aarch64-vm: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
