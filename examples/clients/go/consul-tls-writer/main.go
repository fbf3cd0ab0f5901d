// consul-tls-writer: writes a heartbeat key to Consul over TLS every second with Consul's Go API
// (armon/consul-api, the package hashicorp/consul/api grew from; Debian's
// golang-github-armon-consul-api-dev), whose HTTP client is HashiCorp's go-retryablehttp, and
// answers each failure the way the Consul write incident's postmortem asks:
//
//   - a refused or reset connection is transient: retried with exponential backoff from 100 ms
//     (100 ms, 200 ms, 400 ms, then the write is given up);
//   - a certificate the client cannot accept (expired, for another name, from an unknown
//     authority) or a TLS version it will not speak is a configuration problem that no retry
//     mends: never retried, an ALERT line for the operator, and the next write only after 3 s.
//
// -broken is the same client with retryablehttp's DefaultRetryPolicy, as it is usually left. That
// policy stops only for an unknown authority ("certificate signed by unknown authority"); an
// expired certificate, a name mismatch or an old protocol are retried like a refused connection,
// and nobody is alerted.
//
// Each write opens its own connection (keep-alives off), as a CLI or a cron writer does, so every
// write meets the server's certificate of the moment. The authority to trust is read from
// $FAULTLINE_TLS_CA (the run's own).
//
// Usage: consul-tls-writer [-broken] HOST:PORT KEY
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	consulapi "github.com/armon/consul-api"
	"github.com/hashicorp/go-retryablehttp"
)

// certificateProblem says whether err is TLS refusing the server: nothing a retry can fix.
func certificateProblem(err error) bool {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var name x509.HostnameError
	if errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &name) {
		return true
	}
	// The version or an alert: "tls: server selected unsupported protocol version 302",
	// "remote error: tls: bad certificate".
	return strings.Contains(err.Error(), "tls: ")
}

// retryTransient retries connection failures and 5xx, never a certificate or TLS version problem.
func retryTransient(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return !certificateProblem(err), nil
	}
	return resp.StatusCode >= 500, nil
}

func main() {
	broken := flag.Bool("broken", false, "retryablehttp's DefaultRetryPolicy: TLS problems retried, no alert")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: consul-tls-writer [-broken] HOST:PORT KEY")
		os.Exit(2)
	}
	pem, err := ioutil.ReadFile(os.Getenv("FAULTLINE_TLS_CA"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "consul-tls-writer: reading $FAULTLINE_TLS_CA:", err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)

	retry := retryablehttp.NewClient()
	retry.Logger = log.New(ioutil.Discard, "", 0)
	retry.HTTPClient.Timeout = time.Second
	transport := retry.HTTPClient.Transport.(*http.Transport)
	transport.TLSClientConfig = &tls.Config{RootCAs: roots}
	transport.DisableKeepAlives = true
	retry.ErrorHandler = retryablehttp.PassthroughErrorHandler
	retry.RetryMax = 3
	retry.RetryWaitMin, retry.RetryWaitMax = 100*time.Millisecond, 400*time.Millisecond
	retry.Backoff = retryablehttp.DefaultBackoff
	if *broken {
		retry.CheckRetry = retryablehttp.DefaultRetryPolicy
	} else {
		retry.CheckRetry = retryTransient
	}

	config := consulapi.DefaultConfig()
	config.Address = flag.Arg(0)
	config.Scheme = "https"
	config.HttpClient = retry.StandardClient()
	consul, err := consulapi.NewClient(config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "consul-tls-writer:", err)
		os.Exit(2)
	}
	kv := consul.KV()
	for n := 1; ; n++ {
		pause := time.Second
		_, err := kv.Put(&consulapi.KVPair{Key: flag.Arg(1), Value: []byte(fmt.Sprint(n))}, nil)
		switch {
		case err == nil:
			fmt.Println("ok", n)
		case !*broken && certificateProblem(err):
			fmt.Println("ALERT consul's TLS certificate or version is not acceptable; not retrying:", err)
			pause = 3 * time.Second
		default:
			fmt.Println("write failed:", err)
		}
		time.Sleep(pause)
	}
}
