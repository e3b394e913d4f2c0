// Command loadgen sends HTTP requests from a fixed number of concurrent clients for a fixed time,
// or at a fixed offered rate, and prints one JSON object: counts, rate and latency percentiles.
// "{n}" in the URL or body is replaced by a unique request number, so each request can create a
// distinct resource (an email address, a participant).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

type result struct {
	Requests   int            `json:"requests"`
	Errors     int            `json:"errors"`
	Statuses   map[string]int `json:"statuses"`
	Seconds    float64        `json:"seconds"`
	PerSecond  float64        `json:"per_second"`
	P50Ms      float64        `json:"p50_ms"`
	P95Ms      float64        `json:"p95_ms"`
	P99Ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`
	Clients    int            `json:"clients"`
	OfferedRPS float64        `json:"offered_rps,omitempty"`
}

type planned struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Body   string `json:"body"`
}

func readPlanned(path string) []planned {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	var out []planned
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var p planned
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: bad request line:", err)
			os.Exit(2)
		}
		out = append(out, p)
	}
	return out
}

func main() {
	method := flag.String("method", "GET", "HTTP method")
	url := flag.String("url", "", "target URL ({n} is replaced by the request number)")
	body := flag.String("body", "", "request body ({n} is replaced by the request number)")
	clients := flag.Int("clients", 8, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	rate := flag.Float64("rate", 0, "offered requests per second in total (0: as fast as possible)")
	start := flag.Int64("start", 0, "first request number")
	requestsFile := flag.String("requests", "", "JSON lines {method, url, body}: request n uses line n (cycling); overrides -method, -url, -body")
	var hdrs headers
	flag.Var(&hdrs, "H", "header 'Name: value' (repeatable)")
	flag.Parse()
	var planned []planned
	if *requestsFile != "" {
		planned = readPlanned(*requestsFile)
	} else if *url == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -url or -requests is required")
		os.Exit(2)
	}

	transport := &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	var counter atomic.Int64
	counter.Store(*start)
	var mu sync.Mutex
	latencies := make([]float64, 0, 100000)
	statuses := map[string]int{}
	errors := 0

	var tick <-chan time.Time
	if *rate > 0 {
		ticker := time.NewTicker(time.Duration(float64(time.Second) / *rate))
		defer ticker.Stop()
		tick = ticker.C
	}
	deadline := time.Now().Add(*duration)
	began := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if tick != nil {
					select {
					case <-tick:
					case <-time.After(time.Until(deadline)):
						return
					}
				}
				number := counter.Add(1)
				n := strconv.FormatInt(number, 10)
				m, u, b := *method, *url, *body
				if planned != nil {
					p := planned[int(number-1)%len(planned)]
					m, u, b = p.Method, p.URL, p.Body
				}
				req, err := http.NewRequest(m, strings.ReplaceAll(u, "{n}", n),
					bytes.NewBufferString(strings.ReplaceAll(b, "{n}", n)))
				if err != nil {
					panic(err)
				}
				for _, h := range hdrs {
					name, value, _ := strings.Cut(h, ":")
					req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
				}
				sent := time.Now()
				resp, err := client.Do(req)
				elapsed := float64(time.Since(sent).Microseconds()) / 1000
				mu.Lock()
				if err != nil {
					errors++
				} else {
					statuses[strconv.Itoa(resp.StatusCode)]++
					latencies = append(latencies, elapsed)
				}
				mu.Unlock()
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	seconds := time.Since(began).Seconds()
	sort.Float64s(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	out := result{Requests: len(latencies) + errors, Errors: errors, Statuses: statuses,
		Seconds: seconds, PerSecond: float64(len(latencies)) / seconds, P50Ms: pct(0.50),
		P95Ms: pct(0.95), P99Ms: pct(0.99), MaxMs: pct(1.0), Clients: *clients, OfferedRPS: *rate}
	json.NewEncoder(os.Stdout).Encode(out)
}
