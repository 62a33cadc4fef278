package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/frontdoor"
	"github.com/accountd/accountd/rpc/logwriter"
	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "serve takes no arguments"}
	}
	logs, closeLogs := serveLog(stderr)
	defer closeLogs() // after a.Close: the last lines, "stopped" among them, are written
	a, err := openApp(ctx, fs, logs)
	if err != nil {
		return err
	}
	defer a.Close()
	a.console = stdout
	return a.serve(ctx, nil)
}

// serveLog is where serve logs: stderr through a logwriter.Writer when it is
// a file (a terminal, a pipe to a collector, a file), so that a call's log
// line is a copy into memory rather than a write to the descriptor; any
// other writer as it is. closeLogs writes what waits. Lines still waiting
// when the process is killed (kill -9, a crash) are lost: at most
// logwriter.DefaultFlushInterval's worth.
func serveLog(stderr io.Writer) (logs io.Writer, closeLogs func()) {
	if _, isFile := stderr.(*os.File); !isFile {
		return stderr, func() {}
	}
	w := logwriter.New(stderr, logwriter.Options{})
	return w, func() { w.Close() }
}

// purgeInterval is how often forgotten request ids are deleted.
const purgeInterval = time.Hour

// serve runs the HTTP server until ctx ends, then shuts down gracefully:
// it stops accepting, lets calls in flight finish within the shutdown
// timeout, and returns so that the caller closes the database. ready, when
// not nil, is called with the address once the server is listening.
func (a *app) serve(ctx context.Context, ready func(addr string)) error {
	if err := rpc.CheckCosts(a.cfg.RateLimit.Costs); err != nil {
		return fmt.Errorf("config: ratelimit.costs: %w", err)
	}
	auth := partner.NewAuthenticator(a.store, a.clock, a.cfg.Auth.KeyCacheTTL).WithMaxClockSkew(a.cfg.Auth.MaxClockSkew)
	limiter, err := a.newLimiter(ctx)
	if err != nil {
		return err
	}
	defer limiter.Close()
	sender, err := a.sender()
	if err != nil {
		return err
	}
	if len(a.cfg.EKYC.DataKey) == 0 {
		return errors.New("ekyc.data_key is not set: it encrypts the onboarding pictures and applicant data at rest; set 64 hex " +
			"digits (openssl rand -hex 32), the same on every replica, and keep it safe: data sealed under a lost key cannot be read")
	}
	a.store.Observe(a.metrics.Committed, func(err error) {
		a.metrics.SealFailed()
		a.log.Warn().Err(err).Msg("audit sealer: pending rows wait for the next attempt")
	})
	checkpointKeys, err := a.checkpointKeys()
	if err != nil {
		return err
	}
	for _, f := range a.store.LooseFiles() {
		a.log.Warn().Str("file", f.Path).Str("mode", f.Mode.String()).
			Msg("database file readable by others than its owner: chmod 600 it (new files are created 0600; existing ones are left as they are)")
	}
	h, err := rpc.NewHandler(a.svc, auth, rpc.Options{
		MaxBodyBytes:       a.cfg.Server.MaxBodyBytes,
		MaxUploadBodyBytes: a.cfg.Server.MaxUploadBodyBytes,
		MaxBatch:           a.cfg.Server.MaxBatch,
		Limiter:            limiter,
		Tiers:              a.cfg.RateLimit.Tiers,
		Costs:              a.cfg.RateLimit.Costs,
		Metrics:            a.metrics,
		Ready:              a.store.Ready,

		MaxInflightBodyBytes:    a.cfg.Server.MaxInflightBodyBytes,
		MaxUnauthenticatedPerIP: a.cfg.Server.MaxUnauthenticatedPerIP,
		CallTimeout:             a.cfg.Server.CallTimeout,
		PublicURL:               a.cfg.Server.PublicURL,
		WriteTimeout:            a.cfg.Server.WriteTimeout,
	}, a.log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (server.addr): %w", a.cfg.Server.Addr, err)
	}
	stopAdmin, err := a.startAdmin()
	if err != nil {
		ln.Close()
		return err
	}
	defer stopAdmin()
	ln = frontdoor.LimitListener(ln, a.cfg.Server.MaxConnectionsPerIP, a.metrics)
	srv := &http.Server{
		Handler:           h.Routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       a.cfg.Server.ReadTimeout,
		WriteTimeout:      a.cfg.Server.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          stdlog.New(a.log.With().Str("component", "http").Logger(), "", 0),
	}
	addr := ln.Addr().String()
	tls := a.cfg.Server.TLSCert != ""
	a.log.Info().Str("addr", addr).Bool("tls", tls).Interface("config", a.cfg.Masked(store.RedactDSN)).Msg("serving")
	if ready != nil {
		ready(addr)
	}
	loopCtx, stopLoops := context.WithCancel(ctx)
	defer stopLoops()
	go a.purgeLoop(loopCtx)
	if a.cfg.OTP.Channel == "log" {
		a.log.Warn().Msg("otp.channel is log: one-time codes are printed on the console; use webhook in production")
	}
	if n, err := countActiveKeys(a.store); err == nil && n[partner.SignatureNetXD] > 0 {
		a.log.Warn().Int("keys", n[partner.SignatureNetXD]).Msg("active keys accept NetXD's payload-only signature, " +
			"which a captured request can be replayed with; see `accountd keys list` and move them to V2 with `accountd keys signature KEYID V2`")
	}
	if len(a.cfg.OTP.MessageKey) == 0 {
		a.log.Warn().Msg("otp.message_key is not set: queued messages are sealed with a key of this process alone " +
			"(lost on restart, not shared by replicas) and code hashes are not keyed; set it in production")
	}
	go a.dispatchLoop(loopCtx, sender)
	go a.sweepLoop(loopCtx)
	go a.checkpointLoop(loopCtx, checkpointKeys)

	errc := make(chan error, 1)
	go func() {
		if tls {
			errc <- srv.ServeTLS(ln, a.cfg.Server.TLSCert, a.cfg.Server.TLSKey)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info().Msg("shutting down: finishing calls in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.Server.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	// The name inquiries' audit rows still waiting in memory are written
	// before the database closes.
	_ = a.closeBank()
	a.log.Info().Msg("stopped")
	return err
}

// newLimiter returns the shared Redis limiter when ratelimit.redis_url is
// set, otherwise a limiter for this process alone.
func (a *app) newLimiter(ctx context.Context) (ratelimit.Limiter, error) {
	if a.cfg.RateLimit.RedisURL == "" {
		return ratelimit.NewMemory(nil), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	l, err := ratelimit.NewRedis(ctx, a.cfg.RateLimit.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("ratelimit.redis_url: %w", err)
	}
	return l, nil
}

// purgeLoop deletes forgotten request ids every purgeInterval.
func (a *app) purgeLoop(ctx context.Context) {
	t := time.NewTicker(purgeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := a.svc.Kernel.PurgeIdempotencyKeys(ctx)
			if err != nil && ctx.Err() == nil {
				a.log.Error().Err(err).Msg("purge idempotency keys")
			} else if n > 0 {
				a.log.Info().Int64("deleted", n).Msg("idempotency keys purged")
			}
		}
	}
}
