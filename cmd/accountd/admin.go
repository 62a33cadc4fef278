package main

import (
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// adminRoutes are the admin listener's routes: Go's profiles, for `go tool
// pprof http://ADDR/debug/pprof/profile?seconds=10`, and nothing else. The
// command line (/debug/pprof/cmdline) is left out: it may hold a DSN with
// its password.
func adminRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/debug/pprof/cmdline" {
			http.NotFound(w, r)
			return
		}
		pprof.Index(w, r) // the index and the named profiles: heap, goroutine, block, mutex, allocs, threadcreate
	})
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// startAdmin starts the admin listener on server.admin_addr, unless it is
// empty; the returned function stops it.
func (a *app) startAdmin() (stop func(), err error) {
	addr := a.cfg.Server.AdminAddr
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (server.admin_addr): %w", addr, err)
	}
	srv := &http.Server{
		Handler:           adminRoutes(),
		ReadHeaderTimeout: 10 * time.Second,
		// A CPU profile or trace runs for its ?seconds= (30 s by default).
		WriteTimeout: 5 * time.Minute,
		ErrorLog:     stdlog.New(a.log.With().Str("component", "admin").Logger(), "", 0),
	}
	a.log.Info().Str("addr", ln.Addr().String()).Msg("admin listener: profiles at /debug/pprof/")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.log.Error().Err(err).Msg("admin listener stopped")
		}
	}()
	return func() {
		srv.Close() //nolint:errcheck // a profile in progress is cut off
		<-done
	}, nil
}
