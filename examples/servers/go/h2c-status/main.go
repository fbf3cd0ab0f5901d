// h2c-status: an HTTP/2 cleartext server (golang.org/x/net/http2/h2c) that takes both prior
// knowledge and `Upgrade: h2c`, and answers /status/N with status N (503 with Retry-After: 1),
// anything else with 200. A real h2c peer for the observer's tests.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

func main() {
	addr := ":8080"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/")); err == nil && code >= 200 && code < 600 {
			status = code
		}
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "%s %d\n", r.Proto, status)
	})
	server := &http.Server{Addr: addr, Handler: h2c.NewHandler(handler, &http2.Server{})}
	log.Fatal(server.ListenAndServe())
}
