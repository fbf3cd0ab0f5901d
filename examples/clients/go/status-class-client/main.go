// status-class-client: polls an HTTP API every 500 ms with HashiCorp's go-retryablehttp (Debian's
// golang-github-hashicorp-go-retryablehttp-dev) and answers each status class the way the Go
// microservice incident's postmortem asks:
//
//   - 500, 502, 504 and connection errors: transient, retried by retryablehttp (at most 3 retries,
//     exponential backoff from 100 ms: 100 ms, 200 ms, 400 ms);
//   - 429 and 503: the server is shedding load; retrying makes it worse. A circuit breaker opens at
//     once, for Retry-After (at least 2 s), then lets a single trial through (half-open);
//   - every other 4xx: the request itself is wrong; never retried, reported.
//
// -broken is the client as it is often written: retryablehttp told to retry every status that is
// not 2xx (4xx included), with a fast linear backoff that ignores Retry-After, and no breaker.
//
// Usage: status-class-client [-broken] URL
// Prints "ok <status>", "failed <status>", "breaker open for <s>s (<status>)" and "breaker half-open".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryTransient retries connection errors and the 5xx that are not load shedding (500, 502, 504).
func retryTransient(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return true, nil
	}
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

// retryAnyFailure is the broken policy: anything but 2xx is worth another try.
func retryAnyFailure(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return err != nil || resp.StatusCode < 200 || resp.StatusCode > 299, nil
}

func main() {
	broken := flag.Bool("broken", false, "retry every failure fast, ignore Retry-After, no breaker")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: status-class-client [-broken] URL")
		os.Exit(2)
	}
	url := flag.Arg(0)
	client := retryablehttp.NewClient()
	client.Logger = log.New(ioutil.Discard, "", 0)
	client.HTTPClient.Timeout = time.Second
	client.ErrorHandler = retryablehttp.PassthroughErrorHandler
	if *broken {
		client.RetryMax = 4
		client.RetryWaitMin, client.RetryWaitMax = 50*time.Millisecond, 100*time.Millisecond
		client.Backoff = retryablehttp.LinearJitterBackoff
		client.CheckRetry = retryAnyFailure
	} else {
		client.RetryMax = 3
		client.RetryWaitMin, client.RetryWaitMax = 100*time.Millisecond, time.Second
		client.Backoff = retryablehttp.DefaultBackoff
		client.CheckRetry = retryTransient
	}

	var openUntil time.Time
	for {
		if !*broken && time.Now().Before(openUntil) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if !openUntil.IsZero() {
			fmt.Println("breaker half-open")
			openUntil = time.Time{}
		}
		resp, err := client.Get(url)
		switch {
		case err != nil:
			fmt.Println("failed:", err)
		case resp.StatusCode >= 200 && resp.StatusCode <= 299:
			fmt.Println("ok", resp.StatusCode)
		case !*broken && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable):
			wait := 2 * time.Second
			if s, e := strconv.Atoi(resp.Header.Get("Retry-After")); e == nil && time.Duration(s)*time.Second > wait {
				wait = time.Duration(s) * time.Second
			}
			openUntil = time.Now().Add(wait)
			fmt.Printf("breaker open for %.0fs (%d)\n", wait.Seconds(), resp.StatusCode)
		default:
			fmt.Println("failed", resp.StatusCode)
		}
		if resp != nil {
			io.Copy(ioutil.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(500 * time.Millisecond)
	}
}
