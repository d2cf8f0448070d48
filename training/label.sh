#!/bin/bash
# Background DFT labeller for the MoS2 model factory.
#   training/label.sh start    start (or resume) in the background, nice 19, 1 core
#   training/label.sh status   running or not, counts per category, last log lines
#   training/label.sh extra    start a second worker on the same queue (claim files keep them apart): worth it when
#                              the machine has a spare core (nice 19 yields to everything else)
#   training/label.sh table-dimers [RMAX]  an extra worker on the dimers with r <= RMAX (default 1.6 A, the pair
#                              table's; 5 = all dimers)
#   training/label.sh ae-dimers [PAIRS]  an extra worker on the all-electron NWChem dimers of the pair table (UGBS+P,
#                              the AQZP check, the UGBS+P counterpoise runs); PAIRS (e.g. MoMo or MoS,SS) splits them
#                              between two workers
#   training/label.sh stop     stop them (the configurations in progress are dropped, nothing else)
#   training/label.sh pack     pack work/results into data/ (DeePMD npy) + data/SUMMARY.md
#   training/label.sh commit   pack, then git-commit training/data (only that path)
#   training/label.sh spin [screen]   a spin-check worker (factory.spin: relabel spin-polarised, keep the lower state)
#                                     on every labelled configuration of the magnetic groups, or `screen`: one per
#                                     group; run it twice for two workers; pid work/spin.pid, work/spin2.pid
#   training/label.sh spin-status     the spin checks made, by group
#   training/label.sh reference       start (or resume) reference.py, the DFT reference values for report.py,
#                                     in the background (nice 19, 1 core); log work/reference.log, pid work/reference.pid
#   training/label.sh stop-reference  stop it (the calculation in progress resumes from its trajectory next time)
#   training/label.sh reference-status  done/pending per piece and the remaining CPU estimate
# Logs: training/work/label.log; per-configuration GPAW logs: training/work/logs/.
set -u
cd "$(dirname "$0")"
PY=/usr/bin/python3
PIDF=work/label.pid
mkdir -p work
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1

PIDF2=work/label2.pid
REFPIDF=work/reference.pid
SPINPIDS="work/spin.pid work/spin2.pid"
# setsid puts a worker in its own scheduler autogroup, where its nice value only ranks it against itself: a nice-19
# worker would still take a full share of the CPU from interactive work. Lower the autogroup's priority as well.
# Wait until the child has called setsid (its session id is its pid): before that it still sits in the caller's
# autogroup, and lowering that one would starve the caller's interactive work instead of the worker.
lower() {
  for _ in $(seq 50); do
    [ "$(ps -o sid= -p "$1" 2>/dev/null | tr -d ' ')" = "$1" ] && { echo 19 > "/proc/$1/autogroup" 2>/dev/null; return; }
    sleep 0.1
  done
}
running() { [ -f "${1:-$PIDF}" ] && kill -0 "$(cat "${1:-$PIDF}")" 2>/dev/null; }

case "${1:-status}" in
  start)
    if running; then echo "already running (pid $(cat $PIDF))"; exit 0; fi
    # worker: label until 40 configurations exist (every category gets some), finish the
    # all-electron UGBS+P and AQZP dimer runs the pair table is built on and the acceptance validation (all
    # resumable, quick no-ops once finished), then label the whole queue.  The counterpoise runs (a check the table
    # does not need, an hour of one core) are `ae-dimers`' job, so that they never hold up the labelling.
    setsid nohup nice -n 19 bash -c "
      $PY -m factory.label run --until 40;
      $PY pairtable/nwchem_dimers.py --basis ugbsp;
      $PY pairtable/nwchem_dimers.py --basis aqzp;
      $PY validate.py;
      $PY -m factory.label run" >> work/label.log 2>&1 < /dev/null &
    echo $! > "$PIDF"; lower $!
    echo "started (pid $(cat $PIDF)); log: training/work/label.log" ;;
  ae-dimers)
    # the all-electron dimers alone (UGBS+P, the AQZP check, counterpoise), as an extra background worker
    # optional PAIRS (e.g. MoMo, or MoS,SS): a second worker beside the first on a spare core
    P="--pairs ${2:-MoMo,MoS,SS}"
    setsid nohup nice -n 19 bash -c "$PY pairtable/nwchem_dimers.py --basis ugbsp $P; $PY pairtable/nwchem_dimers.py --basis aqzp $P;
      $PY pairtable/nwchem_dimers.py --basis ugbsp --counterpoise $P" \
      >> work/ae_dimers.log 2>&1 < /dev/null &
    lower $!; echo "all-electron dimer worker pid $!; log: training/work/ae_dimers.log" ;;
  extra)
    if running "$PIDF2"; then echo "second worker already running (pid $(cat $PIDF2))"; exit 0; fi
    setsid nohup nice -n 19 $PY -m factory.label run >> work/label2.log 2>&1 < /dev/null &
    echo $! > "$PIDF2"; lower $!
    echo "second worker started (pid $(cat $PIDF2)); log: training/work/label2.log" ;;
  table-dimers)
    # optional extra worker (temporary): the dimers with r <= ${2:-1.6} A (default: the short range the pair
    # table needs; `table-dimers 5` takes all of them); shares the queue with the others through claim files.
    setsid nohup nice -n 19 $PY -m factory.label run --only atom,dimer --max-r "${2:-1.6}" >> work/table_dimers.log 2>&1 < /dev/null &
    lower $!; echo "table-dimer worker pid $!; log: training/work/table_dimers.log" ;;
  stop)
    for f in "$PIDF" "$PIDF2" $SPINPIDS; do
      if running "$f"; then
        pid=$(cat "$f")
        # the worker is a process group leader (setsid): signal the group
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
        echo "stopped pid $pid"; rm -f "$f"
      else echo "not running ($f)"; fi
    done ;;
  status)
    if running; then echo "RUNNING (pid $(cat $PIDF))"; else echo "NOT running"; fi
    if running "$PIDF2"; then echo "second worker RUNNING (pid $(cat $PIDF2))"; fi
    $PY -m factory.label status
    tail -n 5 work/label.log 2>/dev/null ;;
  pack)
    $PY -m factory.pack ;;
  commit)
    $PY -m factory.pack >/dev/null || exit 1
    n=$(grep -o '"configs": [0-9]*' data/summary.json | tail -1 | awk '{print $2}')
    cd ..
    for i in 1 2 3 4 5 6; do
      if [ -e .git/index.lock ]; then echo "git busy (index.lock), retrying"; sleep 5; continue; fi
      git add training/data training/results || { sleep 5; continue; }
      if git diff --cached --quiet -- training/data training/results; then echo "nothing new to commit"; break; fi
      git commit -q -m "training: labelled DFT data ($n configurations)" -- training/data training/results && {
        echo "committed $n configurations"; break; }
      sleep 5
    done ;;
  spin)
    for f in $SPINPIDS; do
      running "$f" && continue
      setsid nohup nice -n 19 $PY -m factory.spin "${2:-run}" >> work/spin.log 2>&1 < /dev/null &
      echo $! > "$f"; lower $!
      echo "spin-check worker started (pid $!); log: training/work/spin.log"; exit 0
    done
    echo "two spin-check workers are running already" ;;
  spin-status)
    $PY -m factory.spin status
    tail -n 4 work/spin.log 2>/dev/null ;;
  reference)
    if running "$REFPIDF"; then echo "reference.py already running (pid $(cat $REFPIDF))"; exit 0; fi
    setsid nohup nice -n 19 $PY reference.py >> work/reference.log 2>&1 < /dev/null &
    echo $! > "$REFPIDF"; lower $!
    echo "reference.py started (pid $(cat $REFPIDF)); log: training/work/reference.log" ;;
  stop-reference)
    if running "$REFPIDF"; then
      pid=$(cat "$REFPIDF")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      echo "stopped reference.py pid $pid"; rm -f "$REFPIDF"
    else echo "reference.py not running"; fi ;;
  reference-status)
    if running "$REFPIDF"; then echo "reference.py RUNNING (pid $(cat $REFPIDF))"; else echo "reference.py NOT running"; fi
    $PY reference.py --status
    tail -n 5 work/reference.log 2>/dev/null ;;
  *) echo "usage: $0 start|extra|stop|status|pack|commit|table-dimers|spin [screen]|spin-status|reference|stop-reference|reference-status"; exit 1 ;;
esac
