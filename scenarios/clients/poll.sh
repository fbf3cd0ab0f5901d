#!/bin/sh
# Polls a URL every 0.2 s forever, printing one line per attempt: "ok <status>" or "fail".
# Used by scenarios/quickstart.yaml as a client that keeps retrying through a partition.
url=${1:?usage: poll.sh URL}
while :; do
    if status=$(curl -s -m 1 -o /dev/null -w '%{http_code}' "$url") && [ "$status" -lt 400 ]; then
        echo "ok $status"
    else
        echo "fail"
    fi
    sleep 0.2
done
