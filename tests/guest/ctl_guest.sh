#!/bin/bash
# tests/guest/ctl_guest.sh - the control-plane test, run as root INSIDE a
# guest (see tests/guest/ctl_run.sh).  Prints TAP; exit 0 iff all passed.
#
#   CTL=build/tmnetctl YNL=<linux-source-6.12>/tools/net/ynl \
#       tests/guest/ctl_guest.sh KO RESULTS
#
# RESULTS holds the inputs made by ctl_run.sh (b1.tmn, b2.tmn, broken
# blobs, samples.csv) and receives the logs (events.json,
# stats-pretty.json, ynl-*.txt).
set -u
KO=$1
R=$2
CTL=${CTL:-build/tmnetctl}
YNL=${YNL:-/var/cache/tmnet/linux-source-6.12/tools/net/ynl}
PY=/usr/bin/python3
SPEC=$PWD/uapi/tmnet.yaml
n=0
fails=0
OUT=$(mktemp) ERR=$(mktemp)

t() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
		sed 's/^/#   out: /' "$OUT" | head -n 15
		sed 's/^/#   err: /' "$ERR" | head -n 15
	fi
}

# run CMD...: stdout in $OUT, stderr in $ERR, status in $rc
run() {
	"$@" >"$OUT" 2>"$ERR"
	rc=$?
}

# expect RC REGEX DESC -- CMD...: status RC and stderr matching REGEX
expect() {
	local want=$1 re=$2 desc=$3
	shift 4
	run "$@"
	[ "$rc" -eq "$want" ] && grep -Eq -- "$re" "$ERR" && [ "$(wc -l <"$ERR")" -eq 1 ]
	t $? "$desc (exit $rc: $(head -c 160 "$ERR" | tr '\n' ' '))"
}

# j EXPR < json: evaluate EXPR on the parsed document d
j() {
	$PY -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

ctl() { "$CTL" "$@"; }
stat() { ctl -j stats | j "d['stats']['$1']"; }
gen() { ctl -j model show | j "d['model']['generation']"; }
cfg() { ctl -j dev show | j "d[0]['config']['$1']"; }

echo "# guest kernel $(uname -r), $(nproc) CPUs"
dmesg -C
lsmod | grep -q '^tmnet ' && rmmod tmnet

# ---- no module -----------------------------------------------------------------
expect 4 'tmnet module is not loaded' "no module: one line, exit 4" -- ctl dev show

insmod "$KO" instances=2
t $? "insmod $(basename "$KO") instances=2"

# ---- iproute2 sees the family ----------------------------------------------------
run genl ctrl get name tmnet
sed 's/^/# /' "$OUT"
[ "$rc" -eq 0 ] && grep -q 'events' "$OUT" && [ "$(grep -c 'ID-0x' "$OUT")" -ge 10 ]
t $? "genl ctrl get name tmnet lists the ops and the events group"

# ---- dev show ------------------------------------------------------------------------
run ctl dev show
grep -q '^0: tmnet0: stopped model-gen 0' "$OUT"
t $? "dev show (text)"
run ctl -j dev show
[ "$(j "(d[0]['dev-name'], d[0]['running'], d[0]['model-gen'], d[0]['config']['rate-hz'])" <"$OUT")" = "('tmnet0', False, 0, 2000)" ]
t $? "dev show -j: tmnet0 stopped, generation 0, 2000 Hz"
run ctl -d 0 -j dev show
[ "$(j "[x['dev-name'] for x in d]" <"$OUT")" = "['tmnet0']" ]
t $? "dev show -d 0 (a DEV_GET do by index)"
run ctl -j dev show
[ "$(j "[x['dev-name'] for x in d]" <"$OUT")" = "['tmnet0', 'tmnet1']" ]
t $? "dev show without -d: a dump of both devices"

# ---- events listener ---------------------------------------------------------------
"$CTL" -j monitor >"$R/events.json" 2>"$R/monitor.err" &
mon=$!
for i in $(seq 1 100); do grep -q monitoring "$R/monitor.err" && break; sleep 0.1; done
grep -q monitoring "$R/monitor.err"
t $? "monitor joined the events group"

# ---- load, configure, start, stream ---------------------------------------------
run ctl model load "$R/b1.tmn"
grep -q 'as model generation 1$' "$OUT"
t $? "model load b1.tmn: generation 1"
run ctl -j model show
[ "$(j "(d['model']['name'], d['model']['generation'], d['model']['builtin'], d['model']['system'], d['model']['load-time'] > 0)" <"$OUT")" = "('mkblob-B-1', 1, False, 'B', True)" ]
t $? "model show -j: name, generation, system, load time"
crc_b1=$(j "d['model']['crc32']" <"$OUT")

run ctl set mode B eps 0.02 budget 200000 source replay
grep -q 'mode B' "$OUT" && grep -q 'eps 0.02' "$OUT"
t $? "set mode B eps 0.02 budget 200000 source replay"
v=$(ctl -j dev show | j "(d[0]['config']['eps'], sorted(d[0]['config']['pinned']), len(d))")
[ "$v" = "(0.0200042725, ['budget', 'eps', 'mode'], 2)" ]
t $? "config reads back: eps Q16 1311, mode/eps/budget pinned: $v"

run ctl start
[ "$rc" -eq 0 ] && [ "$(stat ticks)" -gt 0 ] 2>/dev/null
t $? "start: the tick runs"

run ctl feed "$R/samples.csv"
grep -q 'fed 3000 samples' "$OUT"
t $? "feed samples.csv: 3000 samples"
[ "$(stat samples-in)" = 3000 ]
t $? "stats: samples-in is 3000"

run ctl -j stats
cp "$OUT" "$R/stats.json"
j "(len(d['stats']['stage']), [s['name'] for s in d['stats']['stage']], all(s['p50-ns'] <= s['p99-ns'] <= s['max-ns'] for s in d['stats']['stage']), d['stats']['stage'][5]['count'] > 0)" <"$OUT" >"$R/stage-check.txt"
[ "$(cat "$R/stage-check.txt")" = "(6, ['lateness', 'prior', 'net', 'gate', 'publish', 'total'], True, True)" ]
t $? "stats -j: six stages with ordered percentiles ($(cat "$R/stage-check.txt"))"

run ctl read -n 100 --csv --timeout 60
[ "$rc" -eq 0 ] && [ "$(wc -l <"$OUT")" = 101 ] && head -n 1 "$OUT" | grep -q '^t_ns,tick,'
t $? "read -n 100 --csv: 100 records"
run ctl -j read -n 5 --timeout 60
[ "$(j "(len(d), sorted(set(r['model-gen'] for r in d)))" <"$OUT")" = "(5, [1])" ]
t $? "read -j -n 5: records of generation 1"

# ---- swap the model while ticking --------------------------------------------------
a=$(stat ticks)
run ctl model load "$R/b2.tmn"
grep -q 'as model generation 2$' "$OUT"
t $? "model load b2.tmn while ticking: generation 2"
b=$(stat ticks)
[ "$(ctl -j stats | j "d['running']")" = True ]
running=$?
[ "$running" -eq 0 ] && [ "$b" -gt "$a" ]
t $? "the tick kept running through the swap ($a -> $b ticks)"
run ctl read -n 9000 --csv --timeout 60
last=$(tail -n 1 "$OUT" | cut -d, -f16)
[ "$rc" -eq 0 ] && [ "$last" = 2 ]
t $? "records after the swap come from generation 2 (last: $last)"

# ---- rejected loads leave the running model untouched --------------------------------
# (kernels with NL_SET_ERR_MSG_FMT also give the validator's code and offset)
loads_err0=$(stat model-load-errors)
expect 1 'bad magic: not a tmnet model( \(blob error 2 at byte 0\))? \(attribute model-blob\)' \
	"not a model: kernel's reason and attribute" -- ctl model load "$R/notamodel.txt"
expect 1 'CRC mismatch: blob is corrupt( \(blob error 6 at byte 12\))? \(attribute model-blob\)' \
	"corrupt model: CRC" -- ctl model load "$R/crc.tmn"
expect 1 'total_size disagrees with the blob length( \(blob error 5 at byte 8\))? \(attribute model-blob\)' \
	"truncated model" -- ctl model load "$R/short.tmn"
expect 1 'model rate differs from the device tick rate \(attribute model-blob\)' \
	"model for another tick rate: ERANGE" -- ctl model load "$R/rate1000.tmn"
expect 1 '\(attribute model-blob, at most 32768 bytes\)' \
	"oversized blob: the policy's size limit" -- ctl model load "$R/big.tmn"
expect 3 'is empty, not a model' "empty file" -- ctl model load "$R/empty.tmn"
expect 3 'cannot open .*/nonexistent.tmn: No such file or directory' \
	"missing file" -- ctl model load "$R/nonexistent.tmn"
run ctl -j model show
[ "$(j "(d['model']['generation'], d['model']['name'], d['model']['crc32'] != $crc_b1)" <"$OUT")" = "(2, 'mkblob-B-2', True)" ]
t $? "after the rejects generation 2 (b2.tmn) still runs"
[ "$(stat model-load-errors)" = $((loads_err0 + 4)) ]
t $? "the engine counted 4 rejected loads (the oversized one never reached it)"

# ---- rejected configuration changes nothing ------------------------------------------
expect 2 "unknown key 'foo'" "set: unknown key" -- ctl set foo 1
expect 2 "missing value" "set: missing value" -- ctl set mode
expect 2 "budget: '99999999999' is out of range" "set: value beyond u32" -- ctl set budget 99999999999
expect 1 'integer out of range \(attribute config.rate-hz, allowed 100..10000\)' \
	"set rate 50: policy range" -- ctl set rate 50
expect 1 '\(attribute config.eps, allowed 1..65536\)' "set eps 0: policy range" -- ctl set eps 0
expect 1 '\(attribute config.chi2, allowed 1..65536000\)' "set chi2 2000: policy range" -- ctl set chi2 2000
expect 1 'integer out of range \(attribute config.rate-hz' \
	"set mode prior rate 99999: rejected as a whole" -- ctl set mode prior rate 99999
expect 1 'cpu: not a possible CPU \(attribute config.cpu\)' "set cpu 4096" -- ctl set cpu 4096
expect 1 'trained for another rate; unload it first \(attribute config.rate-hz\)' \
	"set rate 1000 with a model loaded" -- ctl set rate 1000
[ "$(ctl -j dev show | j "(d[0]['config']['mode'], d[0]['config']['eps'], d[0]['config']['rate-hz'], d[0]['config']['cpu'])")" = "('B', 0.0200042725, 2000, -1)" ]
t $? "configuration unchanged after the rejects"
expect 4 'dev-name: no such tmnet device \(attribute dev-name\)' "unknown device name" -- ctl -d tmnet9 stats
expect 4 'dev-index: no such tmnet device \(attribute dev-index\)' "unknown device index" -- ctl -d 7 stats
expect 1 '\(attribute dev-name, at most 15 bytes\)' "device name too long" -- ctl -d tmnet-with-a-very-long-name stats
expect 2 "unknown object 'frobnicate'" "unknown object" -- ctl frobnicate
expect 3 'bad.csv:3: want 6 fields' "feed: malformed CSV line" -- ctl feed "$R/bad.csv"

# ---- malformed requests from a raw socket: errno and extack --------------------------
raw() {
	local case=$1 want=$2 desc=$3
	run $PY tests/guest/ctl_raw.py "$case"
	grep -Eq -- "$want" "$OUT"
	t $? "raw $case: $desc ($(cat "$OUT"))"
}
raw short-u32 '^errno=22 msg=.+ bad-attr-offset=20 ' "wrong length u32: EINVAL at dev-index"
raw unknown-attr '^errno=22 msg=Unknown attribute type bad-attr-offset=32 ' "attribute 99: EINVAL"
raw no-dev '^errno=22 msg=dev-index or dev-name: a device must be named .*miss-type=2$' "no device: EINVAL, missing dev-index"
raw no-config '^errno=22 msg=config: missing .*miss-type=8$' "CONFIG_SET without config"
raw nest-without-flag '^errno=22 msg=NLA_F_NESTED is missing bad-attr-offset=32 ' "nest without NLA_F_NESTED (strict)"
raw empty-config '^errno=22 msg=config: no field to change bad-attr-offset=32 ' "empty config nest"
raw pinned-in-request '^errno=22 msg=.+ bad-attr-offset=36 ' "output-only pinned in a request"
raw rate-short '^errno=22 msg=.+ bad-attr-offset=36 ' "2-byte rate-hz"
raw no-blob '^errno=22 msg=model-blob: missing .*miss-type=6$' "MODEL_LOAD without model-blob"
raw name-not-nul '^errno=22 msg=.+ bad-attr-offset=20 ' "dev-name without NUL"
raw reserved-set '^errno=22 msg=.+' "genl header reserved field set (strict from op 0)"
raw index-and-name-differ '^errno=22 msg=dev-name: names another device than dev-index' "dev-index and dev-name disagree"
raw no-such-index '^errno=19 msg=dev-index: no such tmnet device bad-attr-offset=20 ' "unknown device index: ENODEV"
raw ok-stats '^errno=0 ' "a well-formed request is accepted"

# ---- mutating ops without CAP_NET_ADMIN ---------------------------------------------
# The unprivileged user must be able to read what it runs: the work tree may
# sit inside a 0700 directory (a clone in mktemp -d), so tmnetctl and the
# blob are staged in a world-readable directory on the guest's own /tmp.
# Otherwise the test would measure file permissions, not the kernel's EPERM.
U=$(mktemp -d /tmp/tmnet-unpriv.XXXXXX)
cp "$CTL" "$U/tmnetctl" && cp "$R/b1.tmn" "$U/b1.tmn" &&
	chmod 0755 "$U" "$U/tmnetctl" && chmod 0644 "$U/b1.tmn"
t $? "unprivileged user's copies staged in $U"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- "$U/tmnetctl" "$@"; }
run nobody --help
t $rc "the unprivileged user can run its tmnetctl"
g0=$(gen) r0=$(ctl -j stats | j "d['running']")
expect 5 'Operation not permitted' "non-root model load: EPERM" -- nobody model load "$U/b1.tmn"
expect 5 'Operation not permitted' "non-root model unload: EPERM" -- nobody model unload
expect 5 'Operation not permitted' "non-root stop: EPERM" -- nobody stop
expect 5 'Operation not permitted' "non-root start: EPERM" -- nobody start
expect 5 'Operation not permitted' "non-root set: EPERM" -- nobody set mode A
run nobody stats --reset
[ "$rc" -eq 5 ] && grep -q 'stats --reset: Operation not permitted' "$ERR"
t $? "non-root stats --reset: EPERM"
[ "$(gen)" = "$g0" ] && [ "$(ctl -j stats | j "d['running']")" = "$r0" ] && [ "$(cfg mode)" = B ]
t $? "nothing changed (generation $g0, running $r0, mode B)"
run nobody -j stats
[ "$rc" -eq 0 ] && [ "$(j "d['dev-name']" <"$OUT")" = tmnet0 ]
t $? "non-root may read stats"
run nobody model show
t $rc "non-root may read the model"
run nobody dev show
t $rc "non-root may list devices"

# ---- alarms ----------------------------------------------------------------------------
# the device has been running without samples since the feed ended: every
# gate decision is a stale fallback, which the watcher reports
for i in $(seq 1 100); do grep -q gate-fail-rate "$R/events.json" && break; sleep 0.1; done
v=$(grep gate-fail-rate "$R/events.json" | head -n 1 | j "d['event-value']")
[ -n "$v" ] && [ "$v" -ge 500 ] && [ "$v" -le 1000 ]
t $? "a gate-fail-rate event with a rate of $v per mille"
if [ "$(stat overruns)" -gt 0 ]; then
	grep overrun "$R/events.json" | head -n 1 | j "d['event-value'] > 0" | grep -q True
	t $? "timer overruns ($(stat overruns) under TCG) raised an overrun event"
else
	t 0 "# SKIP no timer overruns happened"
fi

# ---- stats output for people and the reset ---------------------------------------------
run ctl -p stats
cp "$OUT" "$R/stats-pretty.json"
sed 's/^/# /' "$OUT"
[ "$rc" -eq 0 ] && j "d['stats']['ticks']" <"$OUT" >/dev/null
t $? "tmnetctl -p stats is valid JSON"
run ctl stats
sed 's/^/# /' "$OUT"
grep -q 'stage(ns)' "$OUT" && grep -q '^  total ' "$OUT"
t $? "tmnetctl stats (text) has the stage table"
run ctl stats --reset
a=$(stat ticks)
r=$(ctl -j stats | j "d['stats']['samples-in']")
[ "$rc" -eq 0 ] && [ "$r" = 0 ]
t $? "stats --reset clears the counters (samples-in $r, ticks $a)"
run ctl -j stats --watch 0.2 --count 3
[ "$(wc -l <"$OUT")" = 3 ]
t $? "stats --watch 0.2 --count 3: three JSON lines"

# ---- stop --------------------------------------------------------------------------------
run ctl stop
a=$(stat ticks)
sleep 0.3
b=$(stat ticks)
[ "$rc" -eq 0 ] && [ "$a" = "$b" ] && [ "$(ctl -j stats | j "d['running']")" = False ]
t $? "stop: ticks stay at $a"
run ctl model unload
grep -q 'built-in prior' "$OUT" && [ "$(ctl -j model show | j "d['model']['builtin']")" = True ]
t $? "model unload: back to the built-in prior"

# ---- events ------------------------------------------------------------------------------
sleep 0.5	# the watcher runs every 200 ms
kill $mon 2>/dev/null
wait $mon 2>/dev/null
sed 's/^/# event: /' "$R/events.json" | head -n 40
evs=$($PY -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(" ".join("%s:%d" % (e["event"], e["model-gen"]) for e in evs if e["event"] != "gate-fail-rate" and e["event"] != "overrun"))
' "$R/events.json")
echo "# $evs"
[ "$evs" = 'model-loaded:1 started:1 model-loaded:2 model-rejected:2 model-rejected:2 model-rejected:2 model-rejected:2 stopped:2 model-loaded:3' ]
t $? "events: loaded 1, started, loaded 2, 4 rejects, stopped, loaded 3 (the prior)"
grep 'model-rejected' "$R/events.json" | head -n 1 | grep -q 'bad magic'
t $? "the model-rejected event says why"

# ---- the kernel's own YNL client, from the spec alone -------------------------------------
ynl() {
	local name=$1
	shift
	$PY "$YNL/cli.py" --spec "$SPEC" --no-schema --output-json "$@" >"$OUT" 2>"$ERR"
	rc=$?
	cp "$OUT" "$R/ynl-$name.txt"
}
ynl dev-get --do dev-get --json '{"dev-name": "tmnet0"}'
[ "$rc" -eq 0 ] && [ "$(j "(d['dev-name'], d['config']['mode'])" <"$OUT")" = "('tmnet0', 'b')" ]
t $? "ynl --do dev-get"
ynl dev-dump --dump dev-get
[ "$rc" -eq 0 ] && [ "$(j "[x['dev-name'] for x in d]" <"$OUT")" = "['tmnet0', 'tmnet1']" ]
t $? "ynl --dump dev-get"
hex=$(od -An -v -tx1 "$R/b1.tmn" | tr -d ' \n')
ynl model-load --do model-load --json "{\"dev-index\": 0, \"model-blob\": \"$hex\"}"
[ "$rc" -eq 0 ] && [ "$(j "d['model-gen']" <"$OUT")" = 4 ]
t $? "ynl --do model-load (generation 4)"
ynl model-get --do model-get --json '{"dev-index": 0}'
[ "$rc" -eq 0 ] && [ "$(j "(d['model']['generation'], d['model']['name'], d['model']['system'])" <"$OUT")" = "(4, 'mkblob-B-1', 'b')" ]
t $? "ynl --do model-get"
ynl config-set --do config-set --json '{"dev-index": 0, "config": {"mode": "a", "eps": 2000, "source": "live"}}'
[ "$rc" -eq 0 ] && [ "$(cfg mode)" = A ] && [ "$(cfg source)" = live ]
t $? "ynl --do config-set (mode a, source live)"
ynl config-unpin --do config-set --json '{"dev-index": 0, "config": {"unpin": ["mode", "eps"]}}'
[ "$rc" -eq 0 ] && [ "$(cfg mode)" = B ]
t $? "ynl --do config-set unpin mode, eps: back to the model's mode B"
ynl config-bad --do config-set --json '{"dev-index": 0, "config": {"rate-hz": 50}}'
[ "$rc" -ne 0 ] && grep -q 'rate-hz' "$OUT" && grep -q 'integer out of range' "$OUT"
t $? "ynl sees the kernel's extack for rate-hz 50 ($(tr '\n' ' ' <"$OUT" | head -c 200))"
ynl stats-get --do stats-get --json '{"dev-name": "tmnet0"}'
[ "$rc" -eq 0 ] && [ "$(j "(len(d['stats']['stage']), d['stats']['stage'][0]['id'], d['running'])" <"$OUT")" = "(6, 'lateness', 0)" ]
t $? "ynl --do stats-get: nested stats with six stages"
# ynl cannot take a notification in the middle of a do, so a separate
# ynl process subscribes; it is ready when its socket joined the group
$PY "$YNL/cli.py" --spec "$SPEC" --no-schema --output-json --subscribe events \
	--sleep 25 >"$R/ynl-events.txt" 2>&1 &
ysub=$!
grp=$(genl ctrl get name tmnet | sed -n 's/.*ID-0x\([0-9a-f]*\) *name: events.*/\1/p')
mask=$(printf '%08x' $((1 << (0x$grp - 1))))
joined=1
for i in $(seq 1 600); do
	awk -v m=$mask '$2 == 16 && $4 == m { f = 1 } END { exit !f }' /proc/net/netlink && { joined=0; break; }
	kill -0 $ysub 2>/dev/null || break
	sleep 0.1
done
echo "# ynl subscriber: group 0x$grp (mask $mask), joined=$joined after $i polls"
awk -v m=$mask 'NR == 1 || ($2 == 16 && $4 != "00000000")' /proc/net/netlink | sed 's/^/# /'
t $joined "the ynl subscriber joined the events group"
ynl start --do start --json '{"dev-name": "tmnet0"}'
t $rc "ynl --do start"
ynl stop --do stop --json '{"dev-name": "tmnet0"}'
[ "$rc" -eq 0 ] && [ "$(ctl -j stats | j "d['running']")" = False ]
t $? "ynl --do stop"
wait $ysub
grep -q '"event": "started"' "$R/ynl-events.txt" && grep -q '"event": "stopped"' "$R/ynl-events.txt"
t $? "ynl --subscribe events saw started and stopped"
ynl stats-reset --do stats-reset --json '{"dev-name": "tmnet0"}'
t $rc "ynl --do stats-reset"
ynl model-unload --do model-unload --json '{"dev-name": "tmnet0"}'
[ "$rc" -eq 0 ] && [ "$(j "d['model-gen']" <"$OUT")" = 5 ]
t $? "ynl --do model-unload (generation 5)"

# ---- help everywhere ------------------------------------------------------------------------
h=0
for c in "--help" "dev help" "dev show --help" "model --help" "model load --help" \
	 "start --help" "stop --help" "set --help" "stats --help" "monitor --help" \
	 "feed --help" "read --help"; do
	ctl $c 2>&1 | grep -q '^Usage: tmnetctl' || { echo "# no usage for: $c"; h=1; }
done
t $h "--help at every level"

# ---- unload ------------------------------------------------------------------------------------
rmmod tmnet
t $? "rmmod"
expect 4 'tmnet module is not loaded' "after rmmod: exit 4 again" -- ctl stats
dmesg | grep -i tmnet | sed 's/^/# /' | tail -n 10
splat=$(dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|UBSAN|KASAN|possible recursive locking|circular locking|refcount_t')
[ -z "$splat" ]
t $? "no splat in dmesg"
[ -n "$splat" ] && echo "$splat" | sed 's/^/# /' | head -n 40
rm -f "$OUT" "$ERR"
echo "1..$n"
[ "$fails" -eq 0 ]
