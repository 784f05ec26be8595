#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying `pixel-dqn sweep --print-commands` (and
# tests) against a real scheduler: `start` installs Debian's slurm-wlm and munge where missing
# (through sudo when not root), writes a slurm.conf for this host into $SLURM_DIR (default
# /tmp/pixel-dqn-slurm) and starts munged, slurmctld and slurmd; `stop` stops the three by the
# PIDs in their pid files; `status` says whether it runs. Use it with SLURM_CONF=$SLURM_DIR/slurm.conf.
set -euo pipefail

dir=${SLURM_DIR:-/tmp/pixel-dqn-slurm}
conf=$dir/slurm.conf
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi

install_missing() {
    local missing=()
    command -v slurmctld >/dev/null || missing+=(slurm-wlm)
    command -v munged >/dev/null || missing+=(munge)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

start() {
    install_missing
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    local host cpus memory
    host=$(hostname -s)
    cpus=$(nproc)
    memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
    cat > "$conf" <<EOF
ClusterName=pixeldqn
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    if ! running munged; then
        if [ ! -f /etc/munge/munge.key ]; then
            $sudo mkdir -p /etc/munge
            $sudo dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
            $sudo chown munge:munge /etc/munge/munge.key
            $sudo chmod 400 /etc/munge/munge.key
        fi
        $sudo mkdir -p /run/munge /var/log/munge /var/lib/munge
        $sudo chown munge:munge /run/munge /var/log/munge /var/lib/munge
        $sudo runuser -u munge -- munged --pid-file=/run/munge/munged.pid
        cp /run/munge/munged.pid "$dir/munged.pid"
    fi
    running slurmctld || $sudo env SLURM_CONF="$conf" slurmctld
    running slurmd || $sudo env SLURM_CONF="$conf" slurmd
    for _ in $(seq 1 30); do
        if SLURM_CONF="$conf" sinfo -h -o %t 2>/dev/null | grep -q idle; then
            echo "Slurm runs: export SLURM_CONF=$conf"
            return 0
        fi
        sleep 1
    done
    echo "Slurm did not report an idle node within 30 s; see $dir/log/" >&2
    return 1
}

stop() {
    for daemon in slurmd slurmctld munged; do
        if running "$daemon"; then $sudo kill "$(cat "$dir/$daemon.pid")"; echo "stopped $daemon"; fi
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) if running slurmctld && running slurmd; then echo "running: export SLURM_CONF=$conf"; else echo "not running"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 64 ;;
esac
