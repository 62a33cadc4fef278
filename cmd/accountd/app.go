package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/accountd/accountd/config"
	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/logwriter"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/imagecheck"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
)

// app is the wired program: configuration, log, database and services.
type app struct {
	cfg      config.Config
	log      zerolog.Logger
	store    *store.Store
	svc      *bank.Bank
	partners *partner.Partners
	metrics  *rpc.Metrics
	// clock is the services' clock, which also judges signature timestamps.
	clock services.Clock
	// console is the program's standard output: the log channel prints
	// one-time codes there, never in the structured log.
	console io.Writer
}

// clockOverride, when set by a test, is the services' clock, so that
// scenarios can let days pass (dormancy) or minutes (code expiry).
var clockOverride services.Clock

// newFlags returns a flag set with the configuration flags.
func newFlags(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	config.RegisterFlags(fs)
	return fs
}

// parseFlags parses args, turning flag mistakes into usage errors.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return usageError{}
		}
		return usageError{msg: err.Error()}
	}
	return nil
}

// openApp loads the configuration, opens and migrates the database and
// builds the services.
func openApp(ctx context.Context, fs *pflag.FlagSet, stderr io.Writer) (*app, error) {
	cfg, err := config.Load(fs)
	if err != nil {
		return nil, err
	}
	return openAppWith(ctx, cfg, stderr)
}

// openAppWith is openApp with the configuration already loaded.
func openAppWith(ctx context.Context, cfg config.Config, stderr io.Writer) (*app, error) {
	log, err := newLogger(cfg.Log, stderr)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Database.Driver, cfg.Database.DSN, store.Options{MaxOpenConns: cfg.Database.MaxOpenConns, GroupCommit: cfg.Database.GroupCommit})
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info().Ints("versions", applied).Msg("migrations applied")
	}
	fees, err := nice.ParseNiceFees(cfg.Nice.Fees, cfg.Nice.FeeCurrency)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("config: nice.fees: %w", err)
	}
	reserved := map[string]bool{}
	for _, n := range cfg.Nice.Reserved {
		reserved[n] = true
	}
	metrics := rpc.NewMetrics(st.Pools())
	var clock services.Clock = services.SystemClock{}
	if clockOverride != nil {
		clock = clockOverride
	}
	opts := []bank.Option{bank.WithReplayObserver(metrics.Replay), bank.WithClock(clock), bank.WithAuditFlushObserver(func(rows int, err error) {
		metrics.AuditFlushFailed()
		// The error names the operation and the database's message, never
		// the rows' content.
		log.Warn().Err(err).Int("rows", rows).Msg("audit trail: name inquiries' rows not written yet; tried again at the next flush")
	})}
	cardRules, portraitRules := imagecheck.CardRules(), imagecheck.PortraitRules()
	cardRules.MaxBytes, portraitRules.MaxBytes = cfg.EKYC.MaxPictureBytes, cfg.EKYC.MaxPictureBytes
	svc := bank.New(st, bank.Settings{
		InstitutionID:        cfg.Bank.InstitutionID,
		PhoneRegion:          cfg.Bank.PhoneRegion,
		IdempotencyTTL:       cfg.Idempotency.TTL,
		Dormancy:             time.Duration(cfg.Dormancy.Days) * 24 * time.Hour,
		OTPTTL:               cfg.OTP.TTL,
		MobileChangesPerDay:  cfg.OTP.MobileChangesPerDay,
		OTPOperationsPerHour: cfg.OTP.OperationsPerHour,
		Location:             cfg.Bank.Location,
		BankCode:             cfg.Bank.Code,
		MessageKey:           cfg.OTP.MessageKey,
		MinEKYCAge:           cfg.EKYC.MinAge,
		NiceFees:             fees,
		NiceHoldTTL:          cfg.Nice.HoldTTL,
		NiceReserved:         reserved,
		OnboardingTTL:        cfg.EKYC.OnboardingTTL,
		PictureRetries:       cfg.EKYC.PictureRetries,
		HashDistance:         cfg.EKYC.HashDistance,
		CardRules:            cardRules,
		PortraitRules:        portraitRules,

		// Bounds of the work of one call.
		IdempotencyWait:         cfg.Idempotency.Wait,
		NiceMaxSearchDepth:      cfg.Nice.MaxSearchDepth,
		NiceMaxSearchCandidates: cfg.Nice.MaxSearchCandidates,
		// eKYC data at rest.
		DataKeys:                  dataKeys(cfg.EKYC),
		PictureRetention:          cfg.EKYC.PictureRetention,
		CompletedPictureRetention: cfg.EKYC.CompletedPictureRetention,
		AuditFlushInterval:        cfg.Audit.FlushInterval,
	}, opts...)
	metrics.CountKeys(func() (map[string]int, error) { return countActiveKeys(st) })
	return &app{cfg: cfg, log: log, store: st, svc: svc, partners: partner.NewPartners(st, clock).WithDefaultTier(cfg.RateLimit.DefaultTier),
		metrics: metrics, clock: clock, console: io.Discard}, nil
}

// Close writes the name inquiries' audit rows still waiting in memory,
// then closes the database.
func (a *app) Close() error { return errors.Join(a.closeBank(), a.store.Close()) }

// closeBank writes the name inquiries' audit rows still waiting in memory,
// within server.shutdown_timeout, and logs what it could not write; rows
// recorded afterwards are written at once. Closing twice is harmless.
func (a *app) closeBank() error {
	timeout := a.cfg.Server.ShutdownTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := a.svc.Close(ctx)
	if err != nil {
		a.log.Error().Err(err).Msg("audit trail: name inquiries' rows lost at shutdown")
	}
	return err
}

// dataKeys are the configured data keys; none without ekyc.data_key.
func dataKeys(c config.EKYC) services.DataKeys {
	if c.DataKey == nil {
		return services.DataKeys{}
	}
	keys := services.DataKeys{Current: c.DataKeyID, Keys: map[string][]byte{c.DataKeyID: c.DataKey}}
	for id, k := range c.OldDataKeys {
		keys.Keys[id] = k
	}
	return keys
}

func newLogger(c config.Log, w io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(c.Level)
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("config: log.level: %w", err)
	}
	if strings.EqualFold(c.Format, "console") {
		dest := w
		if lw, ok := w.(*logwriter.Writer); ok {
			dest = lw.Out() // colours when the buffered output is a terminal
		}
		f, isFile := dest.(*os.File)
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05", NoColor: !isFile || !isatty.IsTerminal(f.Fd())}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, fs, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at schema version %d\n", store.RedactDSN(a.cfg.Database.DSN), v)
	return nil
}
