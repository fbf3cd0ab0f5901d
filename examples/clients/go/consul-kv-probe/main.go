// consul-kv-probe: drives Faultline's consul-kv stand-in with a real Go Consul client
// (github.com/armon/consul-api, Debian golang-github-armon-consul-api-dev: the client that became
// hashicorp/consul/api; Debian 12 ships no newer one) and prints what it saw as one JSON line.
//
// It reads, writes, lists keys, blocks on an index until another write lands, reads a missing key
// (404 must come back as "not set", not an error), deletes, and reads with a wrong ACL token (403).
// The client insists on X-Consul-Index, X-Consul-LastContact and X-Consul-KnownLeader on every read.
//
// Build offline (no module download): GO111MODULE=off GOPATH=/usr/share/gocode go build -o kvprobe .
// Run: kvprobe <consul address:port>   (token s3cret, key config/db present)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	consulapi "github.com/armon/consul-api"
)

func main() {
	out := map[string]interface{}{}
	cfg := consulapi.DefaultConfig()
	cfg.Address = os.Args[1]
	cfg.Token = "s3cret"
	c, err := consulapi.NewClient(cfg)
	if err != nil {
		panic(err)
	}
	kv := c.KV()
	pair, meta, err := kv.Get("config/db", nil)
	if err != nil {
		fmt.Println("get:", err)
		os.Exit(1)
	}
	out["value"] = string(pair.Value)
	out["index"] = meta.LastIndex
	_, err = kv.Put(&consulapi.KVPair{Key: "app/x", Value: []byte("one")}, nil)
	out["putError"] = fmt.Sprint(err)
	keys, _, err := kv.Keys("", "", nil)
	out["keys"] = keys
	pair, meta, _ = kv.Get("app/x", nil)
	go func() {
		time.Sleep(500 * time.Millisecond)
		kv.Put(&consulapi.KVPair{Key: "app/x", Value: []byte("two")}, nil)
	}()
	start := time.Now()
	pair2, meta2, err := kv.Get("app/x", &consulapi.QueryOptions{WaitIndex: meta.LastIndex, WaitTime: 5 * time.Second})
	if err != nil {
		fmt.Println("blocking get:", err)
		os.Exit(1)
	}
	out["blocked"] = time.Since(start).Seconds()
	out["after"] = string(pair2.Value)
	out["newer"] = meta2.LastIndex > meta.LastIndex
	missing, _, err := kv.Get("no/such/key", nil)
	out["missingIsNil"] = missing == nil && err == nil
	_, err = kv.Delete("app/x", nil)
	out["deleteError"] = fmt.Sprint(err)
	list, _, _ := kv.List("", nil)
	out["listed"] = len(list)
	_, _, err = kv.Get("config/db", &consulapi.QueryOptions{Token: "wrong"})
	out["deniedError"] = fmt.Sprint(err)
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
