package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/accountd/accountd/services/notify"
	"github.com/accountd/accountd/services/otp"
)

// sender is the configured delivery channel of messages to customers.
func (a *app) sender() (otp.Sender, error) {
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
func (a *app) dispatchLoop(ctx context.Context, sender otp.Sender) {
	t := time.NewTicker(a.cfg.OTP.DispatchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.svc.OTP.Wake():
		}
		for ctx.Err() == nil {
			rep, err := a.svc.OTP.DispatchOnce(ctx, sender)
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

// sweepLoop runs the onboarding data sweeps at start, then every sweep
// every dormancy.sweep_interval.
func (a *app) sweepLoop(ctx context.Context) {
	a.sweepOnboardingData(ctx)
	t := time.NewTicker(a.cfg.Dormancy.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.sweep(ctx)
			a.sweepOnboardingData(ctx)
		}
	}
}

func (a *app) sweep(ctx context.Context) {
	rep, err := a.svc.Accounts.SweepDormancy(ctx)
	a.metrics.Swept(rep.Dormant, rep.FreezesLifted)
	if err != nil && ctx.Err() == nil {
		a.log.Error().Err(err).Msg("dormancy sweep")
	}
	if rep.Dormant+rep.FreezesLifted > 0 {
		a.log.Info().Int("dormant", rep.Dormant).Int("freezes_lifted", rep.FreezesLifted).Msg("dormancy sweep")
	}
}

// sweepOnboardingData removes the onboarding data past its retention and
// seals again what is kept under an old data key or in clear.
func (a *app) sweepOnboardingData(ctx context.Context) {
	rep, err := a.svc.Onboarding.SweepOnboardingData(ctx)
	a.metrics.RemovedOnboardingData(rep.Packages, rep.Pictures)
	if err != nil && ctx.Err() == nil {
		a.log.Error().Err(err).Msg("onboarding data retention sweep")
	}
	if rep.Packages > 0 {
		a.log.Info().Int("packages", rep.Packages).Int("pictures", rep.Pictures).Int("expired", rep.Expired).Msg("onboarding data removed")
	}
	sealed, err := a.svc.Onboarding.ResealOnboardingData(ctx)
	if err != nil && ctx.Err() == nil {
		a.log.Error().Err(err).Msg("onboarding data reseal")
	}
	if sealed.Applicants+sealed.Declarations+sealed.Pictures > 0 {
		a.log.Info().Str("key_id", sealed.KeyID).Int("applicants", sealed.Applicants).Int("declarations", sealed.Declarations).
			Int("pictures", sealed.Pictures).Msg("onboarding data sealed under the current data key")
	}
}

// sweepUsage names the sweeps that run on demand.
const sweepUsage = "usage: accountd sweep dormancy|pictures|reencrypt [--config FILE] [--database.dsn DSN]"

// runSweep is `accountd sweep dormancy|pictures|reencrypt`: one sweep now,
// safe while servers run.
func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"dormancy", "pictures", "reencrypt"}, args[0]) {
		return usageError{msg: sweepUsage}
	}
	fs := newFlags("sweep "+args[0], stderr)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, fs, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "pictures":
		return a.sweepPictures(ctx, stdout)
	case "reencrypt":
		return a.reencrypt(ctx, stdout)
	}
	rep, err := a.svc.Accounts.SweepDormancy(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dormancy sweep: made DORMANT: %d (no customer activity for %d days); expired freezes lifted: %d\n",
		rep.Dormant, a.cfg.Dormancy.Days, rep.FreezesLifted)
	return nil
}

// sweepPictures is `accountd sweep pictures`.
func (a *app) sweepPictures(ctx context.Context, stdout io.Writer) error {
	rep, err := a.svc.Onboarding.SweepOnboardingData(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "picture retention sweep: packages: %d, pictures removed: %d (REJECTED and EXPIRED after %s, "+
		"COMPLETED %s after the customer's last account closed); packages marked EXPIRED: %d\n",
		rep.Packages, rep.Pictures, days(a.cfg.EKYC.PictureRetention), days(a.cfg.EKYC.CompletedPictureRetention), rep.Expired)
	return nil
}

// reencrypt is `accountd sweep reencrypt`: it needs the data keys.
func (a *app) reencrypt(ctx context.Context, stdout io.Writer) error {
	if len(a.cfg.EKYC.DataKey) == 0 {
		return errors.New("ekyc.data_key is not set: give the current key (and in ekyc.old_data_keys the keys to read)")
	}
	rep, err := a.svc.Onboarding.ResealOnboardingData(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reencrypt: sealed under data key %s: applicants: %d, FATCA declarations: %d, pictures: %d; "+
		"no onboarding data is kept under another key or in clear\n", rep.KeyID, rep.Applicants, rep.Declarations, rep.Pictures)
	return nil
}

// days writes a whole number of days as "30 days", anything else as a
// duration.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
