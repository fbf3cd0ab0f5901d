// tls-get: one HTTPS GET with Go's own TLS stack (crypto/tls), trusting only the system's roots,
// then exit 0 on any answer, 1 on failure. Go encrypts its TLS 1.3 alerts, so a certificate it
// refuses ends the handshake in an encrypted alert on the wire.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tls-get https://host:port/path")
		os.Exit(2)
	}
	client := &http.Client{Timeout: time.Second}
	resp, err := client.Get(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
}
