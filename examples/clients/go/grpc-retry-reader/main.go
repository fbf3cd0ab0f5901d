// grpc-retry-reader: reads one etcd key over gRPC every 500 ms with grpc-go 1.33 (Debian's
// golang-google-grpc-dev), leaving retries to grpc-go's own retryPolicy from the service config:
//
//	maxAttempts 4, initialBackoff 0.2s, maxBackoff 2s, backoffMultiplier 2,
//	retryableStatusCodes [UNAVAILABLE, RESOURCE_EXHAUSTED]
//
// grpc-go waits a random time in [0, backoff) before each retry (full jitter), or exactly what a
// grpc-retry-pushback-ms trailer says; it never retries other codes (INVALID_ARGUMENT). In
// grpc-go before 1.40 that policy is off unless GRPC_GO_RETRY=on is set in the environment, and
// nothing says so: without it the same service config silently retries nothing (the broken twin).
//
// The call is etcd's KV/Range, its request and answer encoded with protowire (no generated code).
// Prints "ok VALUE" or "failed CODE: MESSAGE" per read, and "ready" once connected.
//
// Usage: grpc-retry-reader HOST:PORT KEY
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

const serviceConfig = `{"methodConfig": [{
  "name": [{"service": "etcdserverpb.KV"}],
  "retryPolicy": {
    "maxAttempts": 4,
    "initialBackoff": "0.2s",
    "maxBackoff": "2s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE", "RESOURCE_EXHAUSTED"]
  }
}]}`

// raw passes messages through as bytes: the caller encodes them.
type raw struct{}

func (raw) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (raw) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (raw) Name() string { return "proto" }

// rangeRequest is etcdserverpb.RangeRequest{key: key}.
func rangeRequest(key string) []byte {
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(b, []byte(key))
}

// firstValue reads RangeResponse.kvs[0].value (fields 2 and 5), or "" when there is none.
func firstValue(b []byte) string {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return ""
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return ""
		}
		if num == 2 && typ == protowire.BytesType {
			kv, _ := protowire.ConsumeBytes(b)
			for len(kv) > 0 {
				knum, ktyp, k := protowire.ConsumeTag(kv)
				if k < 0 {
					return ""
				}
				kv = kv[k:]
				if knum == 5 && ktyp == protowire.BytesType {
					v, _ := protowire.ConsumeBytes(kv)
					return string(v)
				}
				l := protowire.ConsumeFieldValue(knum, ktyp, kv)
				if l < 0 {
					return ""
				}
				kv = kv[l:]
			}
		}
		b = b[m:]
	}
	return ""
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: grpc-retry-reader HOST:PORT KEY")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	conn, err := grpc.DialContext(ctx, os.Args[1], grpc.WithInsecure(), grpc.WithBlock(),
		grpc.WithDefaultServiceConfig(serviceConfig), grpc.WithDefaultCallOptions(grpc.ForceCodec(raw{})))
	cancel()
	if err != nil {
		fmt.Println("dial:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	request := rangeRequest(os.Args[2])
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var reply []byte
		err := conn.Invoke(ctx, "/etcdserverpb.KV/Range", &request, &reply)
		cancel()
		if err != nil {
			s := status.Convert(err)
			fmt.Printf("failed %v: %s\n", s.Code(), s.Message())
		} else {
			fmt.Println("ok", firstValue(reply))
		}
		time.Sleep(500 * time.Millisecond)
	}
}
