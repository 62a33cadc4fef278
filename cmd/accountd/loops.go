package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/notify"
)

// sender is the configured delivery channel of messages to customers.
func (a *app) sender() (services.Sender, error) {
	switch a.cfg.OTP.Channel {
	case "":
		return nil, errors.New("otp.channel is not set: webhook (with otp.webhook_url and otp.webhook_secret) sends one-time codes " +
			"to the customers' SMS/e-mail gateway; log prints them on the console, for demos and tests only")
	case "log":
		return notify.NewConsole(a.console), nil
	case "webhook":
		return notify.NewWebhook(a.cfg.OTP.WebhookURL, a.cfg.OTP.WebhookSecret, &http.Client{Timeout: 10 * time.Second}), nil
	}
	return nil, fmt.Errorf("otp.channel %q is not supported", a.cfg.OTP.Channel)
}

// dispatchLoop delivers queued messages: at every tick, and at once when
// this process queued some.
func (a *app) dispatchLoop(ctx context.Context, sender services.Sender) {
	t := time.NewTicker(a.cfg.OTP.DispatchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.svc.Wake():
		}
		for ctx.Err() == nil {
			rep, err := a.svc.DispatchOnce(ctx, sender)
			a.metrics.Dispatched(rep.Sent, rep.Retried, rep.Expired, rep.Failed)
			if err != nil && ctx.Err() == nil {
				// Delivery errors name the message and the gateway's host
				// and status, never the code or the destination.
				a.log.Warn().Err(err).Msg("message delivery")
			}
			if rep.Sent+rep.Retried+rep.Expired+rep.Failed > 0 {
				a.log.Info().Int("sent", rep.Sent).Int("retried", rep.Retried).Int("expired", rep.Expired).Int("failed", rep.Failed).Msg("messages dispatched")
			}
			if rep.Sent+rep.Retried+rep.Expired+rep.Failed == 0 || err != nil {
				break
			}
		}
	}
}

// sweepLoop runs the dormancy sweep every dormancy.sweep_interval.
func (a *app) sweepLoop(ctx context.Context) {
	t := time.NewTicker(a.cfg.Dormancy.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.sweep(ctx)
		}
	}
}

func (a *app) sweep(ctx context.Context) {
	rep, err := a.svc.SweepDormancy(ctx)
	a.metrics.Swept(rep.Dormant, rep.FreezesLifted)
	if err != nil && ctx.Err() == nil {
		a.log.Error().Err(err).Msg("dormancy sweep")
	}
	if rep.Dormant+rep.FreezesLifted > 0 {
		a.log.Info().Int("dormant", rep.Dormant).Int("freezes_lifted", rep.FreezesLifted).Msg("dormancy sweep")
	}
}

// runSweep is `accountd sweep dormancy`: one sweep now, safe while servers
// run.
func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "dormancy" {
		return usageError{msg: "usage: accountd sweep dormancy [--config FILE] [--database.dsn DSN]"}
	}
	fs := newFlags("sweep dormancy", stderr)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, fs, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.svc.SweepDormancy(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dormancy sweep: made DORMANT: %d (no customer activity for %d days); expired freezes lifted: %d\n",
		rep.Dormant, a.cfg.Dormancy.Days, rep.FreezesLifted)
	return nil
}
