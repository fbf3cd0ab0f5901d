#!/bin/sh
# One member of an etcd cluster in a Faultline host (Debian's etcd-server 3.4 and etcdctl).
#
#   etcd_member.sh [--preferred-leader] MEMBER...
#
# MEMBER... names every host of the cluster (this host, $FAULTLINE_HOST, among them); their
# addresses come from Faultline's FAULTLINE_HOST_<NAME> variables, so peers need no DNS.
#
# Flags, chosen for a small shared machine (2 cores, other builds running):
# - data dir in $FAULTLINE_DATA: the run's own folder, removed with the run. etcd 3.4 has no
#   --unsafe-no-fsync (that came in 3.5), so the WAL is fsynced as in production.
# - --heartbeat-interval 100 / --election-timeout 1500: a leader that goes silent is replaced in
#   1.5–3 s, while a busy machine delaying a heartbeat by a few hundred ms does not start an election.
# - --pre-vote: a member cut off from the others does not raise the term while alone, so it does
#   not depose the leader when the partition heals (etcd 3.4 defaults to false).
# - --logger zap --log-level warn: every output line lands in the run's history; info is too chatty.
#
# --preferred-leader makes this member the cluster's leader whenever it is healthy: every 0.5 s it
# asks its own endpoint whether it leads and, if not, has the leader hand over (etcdctl move-leader).
# Faults name hosts, so a scenario that pauses "the leader" needs the leader to be a known host;
# this keeps it one, also after a fault moved leadership away. It prints "leader <name>" each time
# it becomes the leader (a `ready: "log:^leader"` rule waits for the first).
set -eu

keeper=no
if [ "${1:-}" = --preferred-leader ]; then keeper=yes; shift; fi

me=$FAULTLINE_HOST
address() { eval "echo \"\$FAULTLINE_HOST_$(echo "$1" | tr 'a-z-' 'A-Z_')\""; }

cluster=""
endpoints=""
for member in "$@"; do
    a=$(address "$member")
    cluster="${cluster:+$cluster,}$member=http://$a:2380"
    endpoints="${endpoints:+$endpoints,}http://$a:2379"
done

etcd --name "$me" --data-dir "$FAULTLINE_DATA/etcd" \
    --listen-peer-urls "http://$FAULTLINE_ADDR:2380" --initial-advertise-peer-urls "http://$FAULTLINE_ADDR:2380" \
    --listen-client-urls "http://$FAULTLINE_ADDR:2379,http://127.0.0.1:2379" \
    --advertise-client-urls "http://$FAULTLINE_ADDR:2379" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$FAULTLINE_RUN" \
    --heartbeat-interval 100 --election-timeout 1500 --pre-vote \
    --logger zap --log-outputs stderr --log-level warn &
etcd_pid=$!

if [ "$keeper" = yes ]; then
    leading=no
    while kill -0 "$etcd_pid" 2>/dev/null; do
        # "endpoint, ID, version, db size, is leader, is learner, term, index, applied index, errors"
        status=$(etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=1s endpoint status 2>/dev/null || true)
        id=$(echo "$status" | awk -F', ' '{print $2}')
        is_leader=$(echo "$status" | awk -F', ' '{print $5}')
        if [ "$is_leader" = true ]; then
            [ "$leading" = yes ] || echo "leader $me"
            leading=yes
        elif [ -n "$id" ]; then
            leading=no
            etcdctl --endpoints="$endpoints" --command-timeout=2s move-leader "$id" >/dev/null 2>&1 || true
        fi
        sleep 0.5
    done &
fi

wait "$etcd_pid"
