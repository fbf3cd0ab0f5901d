// clientv3-writer: writes to an etcd cluster with clientv3 3.4 (Debian's golang-etcd-server-dev),
// the Go client etcd ships, and proves nothing acknowledged was lost. The Go twin of
// examples/clients/etcd_writer.py.
//
// What makes it correct, in clientv3's own terms:
//   - every endpoint of the cluster in Config.Endpoints, so clientv3's balancer can leave a
//     member that stops answering;
//   - keepalive on the gRPC connection (DialKeepAliveTime/Timeout 1 s): a frozen member's
//     connection stays open and silent, and only a ping that goes unanswered closes it;
//   - a deadline on every call (1 s), so a call sent to the frozen member costs one timeout,
//     never a stall, and the next write goes to another member;
//   - at the end, every acknowledged key read back with a linearizable Get.
//
// -broken is the subtly broken writer: one endpoint (the first), no keepalive and no deadline,
// as clientv3's README example reads when copied without its context.WithTimeout.
//
// Usage: clientv3-writer [-broken] SECONDS HOST:PORT...
// Prints "ok <n> <ms>ms" per acknowledged write, "fail <n>: <error>" per failed one, then
// "summary: acknowledged=<n> lost=<n> longest-gap=<s>s".
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.etcd.io/etcd/clientv3"
)

func main() {
	broken := flag.Bool("broken", false, "one endpoint, no keepalive, no deadline")
	flag.Parse()
	if flag.NArg() < 2 {
		fmt.Fprintln(os.Stderr, "usage: clientv3-writer [-broken] SECONDS HOST:PORT...")
		os.Exit(2)
	}
	seconds, err := strconv.ParseFloat(flag.Arg(0), 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "SECONDS:", err)
		os.Exit(2)
	}
	config := clientv3.Config{Endpoints: flag.Args()[1:], DialTimeout: 2 * time.Second,
		DialKeepAliveTime: time.Second, DialKeepAliveTimeout: time.Second}
	deadline := time.Second
	if *broken {
		config = clientv3.Config{Endpoints: flag.Args()[1:2], DialTimeout: 2 * time.Second}
		deadline = 0
	}
	client, err := clientv3.New(config)
	if err != nil {
		fmt.Println("connect:", err)
		os.Exit(1)
	}
	defer client.Close()

	call := func() (context.Context, context.CancelFunc) {
		if deadline == 0 {
			return context.WithCancel(context.Background())
		}
		return context.WithTimeout(context.Background(), deadline)
	}
	acknowledged := map[string]string{}
	start := time.Now()
	var lastAck time.Time
	var longestGap time.Duration
	for n := 0; time.Since(start).Seconds() < seconds; n++ {
		key, value := fmt.Sprintf("/writer/%06d", n), fmt.Sprintf("v%d", n)
		began := time.Now()
		ctx, cancel := call()
		_, err := client.Put(ctx, key, value)
		cancel()
		if err != nil {
			fmt.Printf("fail %d: %v\n", n, err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		now := time.Now()
		if !lastAck.IsZero() && now.Sub(lastAck) > longestGap {
			longestGap = now.Sub(lastAck)
		}
		lastAck = now
		acknowledged[key] = value
		fmt.Printf("ok %d %dms\n", n, now.Sub(began).Milliseconds())
		time.Sleep(50 * time.Millisecond)
	}
	lost := 0
	for key, value := range acknowledged {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := client.Get(ctx, key)
		cancel()
		if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != value {
			lost++
		}
	}
	fmt.Printf("summary: acknowledged=%d lost=%d longest-gap=%.3fs\n", len(acknowledged), lost, longestGap.Seconds())
}
