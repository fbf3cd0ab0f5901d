#!/bin/sh
# A fragile client: waits for the URL to answer once (its start-up), then polls it every 0.2 s and
# gives up (exit 1) at the first failed request.
# Used by scenarios/broken-client.yaml, whose expectations are meant to fail.
url=${1:?usage: once.sh URL}
until curl -s -m 1 -o /dev/null "$url"; do sleep 0.1; done
while :; do
    if status=$(curl -s -m 1 -o /dev/null -w '%{http_code}' "$url") && [ "$status" -lt 400 ]; then
        echo "ok $status"
    else
        echo "fail: giving up"
        exit 1
    fi
    sleep 0.2
done
