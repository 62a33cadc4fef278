package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/services"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{msg: "keys needs a subcommand: create, add, list, revoke or tier"}
	}
	fs := newFlags("keys "+args[0], stderr)
	partner := fs.String("partner", "", "partner name")
	out := fs.String("out", "", "key file to write (create)")
	pubFile := fs.String("public-key", "", "PEM SubjectPublicKeyInfo file (add)")
	tier := fs.String("tier", "", "partner package tier: "+strings.Join(services.Tiers, ", ")+" (create, add, tier)")
	methods := fs.StringSlice("methods", nil, "comma-separated methods the new key may call; all when not given (create, add)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, fs, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	a.partners.WithMethodCheck(func(m string) bool { return slices.Contains(rpc.Methods(), m) })
	opts := services.KeyOptions{Tier: strings.ToUpper(*tier), Methods: *methods}
	switch args[0] {
	case "create":
		if *partner == "" {
			return usageError{msg: "keys create needs --partner NAME"}
		}
		k, err := a.partners.CreateKey(ctx, *partner, opts)
		if err != nil {
			return err
		}
		path := *out
		if path == "" {
			path = fmt.Sprintf("%s-%s.key.json", *partner, k.KeyID)
		}
		if err := writeKeyFile(path, k); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner:  %s\nkeyId:    %s\nkey file: %s (keep it secret: it holds the private key and credential)\n", k.Partner, k.KeyID, path)
		return nil
	case "add":
		if *partner == "" || *pubFile == "" {
			return usageError{msg: "keys add needs --partner NAME --public-key FILE"}
		}
		pem, err := os.ReadFile(*pubFile)
		if err != nil {
			return fmt.Errorf("read public key: %w", err)
		}
		k, err := a.partners.AddKey(ctx, *partner, pem, opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner:    %s\nkeyId:      %s\ncredential: %s\n(the credential is shown once; only its hash is stored)\n", k.Partner, k.KeyID, k.Credential)
		return nil
	case "list":
		keys, err := a.partners.ListKeys(ctx)
		if err != nil {
			return err
		}
		printKeys(stdout, keys)
		return nil
	case "revoke":
		if fs.NArg() != 1 {
			return usageError{msg: "keys revoke needs exactly one KEYID"}
		}
		if err := a.partners.RevokeKey(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s; running servers refuse it within %s\n", fs.Arg(0), a.cfg.Auth.KeyCacheTTL)
		return nil
	case "tier":
		if *partner == "" || *tier == "" {
			return usageError{msg: "keys tier needs --partner NAME --tier TIER"}
		}
		if err := a.partners.SetTier(ctx, *partner, opts.Tier); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner %s is now %s (%d requests per minute); running servers apply it within %s\n",
			*partner, opts.Tier, a.cfg.RateLimit.Tiers[opts.Tier], a.cfg.Auth.KeyCacheTTL)
		return nil
	}
	return usageError{msg: fmt.Sprintf("unknown keys subcommand %q", args[0])}
}

// writeKeyFile writes a new key file readable by its owner only, refusing to
// overwrite an existing file.
func writeKeyFile(path string, k services.NewKey) error {
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("write key file: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	return f.Close()
}

func printKeys(w io.Writer, keys []services.APIKey) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY ID\tPARTNER\tTIER\tSTATUS\tCREATED\tREVOKED\tMETHODS")
	for _, k := range keys {
		revoked := "-"
		if !k.RevokedAt.IsZero() {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		methods := "all"
		if len(k.Methods) > 0 {
			methods = strings.Join(k.Methods, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.KeyID, k.PartnerName, k.PartnerTier, k.Status,
			k.CreatedAt.Format(time.RFC3339), revoked, methods)
	}
	tw.Flush()
}
