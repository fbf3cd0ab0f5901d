// h2c-status: an HTTP/2 cleartext server (golang.org/x/net/http2/h2c) that takes both prior
// knowledge and `Upgrade: h2c`, and answers /status/N with status N (503 with Retry-After: 1),
// anything else with 200. A gRPC call (content-type application/grpc…) is answered as a gRPC
// server would: HTTP 200, one empty message, and trailers whose grpc-status is the request's
// x-want-grpc-status header (0 by default). A real h2c peer for the observer's tests and benchmark.
package main

import (
	"fmt"
	"io"
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
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/grpc")
			w.Header().Set("Trailer", "Grpc-Status")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte{0, 0, 0, 0, 0})
			status := r.Header.Get("X-Want-Grpc-Status")
			if status == "" {
				status = "0"
			}
			w.Header().Set("Grpc-Status", status)
			return
		}
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
