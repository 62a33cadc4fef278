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
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{msg: "keys needs a subcommand: create, add, list, revoke, tier or signature"}
	}
	fs := newFlags("keys "+args[0], stderr)
	partnerName := fs.String("partner", "", "partner name")
	out := fs.String("out", "", "key file to write (create)")
	pubFile := fs.String("public-key", "", "PEM SubjectPublicKeyInfo file (add)")
	tier := fs.String("tier", "", "partner package tier: "+strings.Join(partner.Tiers, ", ")+" (create, add, tier)")
	methods := fs.StringSlice("methods", nil, "comma-separated methods the new key may call; all when not given (create, add)")
	signature := fs.String("signature", "v2", "signature forms the new key accepts: v2 (ACCOUNTD-V2 only) or netxd (also NetXD's replayable payload-only form) (create, add)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, fs, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	a.partners.WithMethodCheck(func(m string) bool { return slices.Contains(rpc.Methods(), m) })
	opts := partner.KeyOptions{Tier: strings.ToUpper(*tier), Methods: *methods, Signature: strings.ToUpper(*signature)}
	switch args[0] {
	case "create":
		if *partnerName == "" {
			return usageError{msg: "keys create needs --partner NAME"}
		}
		k, err := a.partners.CreateKey(ctx, *partnerName, opts)
		if err != nil {
			return err
		}
		path := *out
		if path == "" {
			path = fmt.Sprintf("%s-%s.key.json", *partnerName, k.KeyID)
		}
		if err := writeKeyFile(path, k); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner:  %s\nkeyId:    %s\nkey file: %s (keep it secret: it holds the private key and credential)\n", k.Partner, k.KeyID, path)
		warnPayloadOnly(stdout, opts.Signature)
		return nil
	case "add":
		if *partnerName == "" || *pubFile == "" {
			return usageError{msg: "keys add needs --partner NAME --public-key FILE"}
		}
		pem, err := os.ReadFile(*pubFile)
		if err != nil {
			return fmt.Errorf("read public key: %w", err)
		}
		k, err := a.partners.AddKey(ctx, *partnerName, pem, opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner:    %s\nkeyId:      %s\ncredential: %s\n(the credential is shown once; only its hash is stored)\n", k.Partner, k.KeyID, k.Credential)
		warnPayloadOnly(stdout, opts.Signature)
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
	case "signature":
		if fs.NArg() != 2 {
			return usageError{msg: "keys signature needs KEYID and V2 or NETXD"}
		}
		policy := strings.ToUpper(fs.Arg(1))
		if err := a.partners.SetSignature(ctx, fs.Arg(0), policy); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s now accepts %s; running servers apply it within %s\n", fs.Arg(0), signatureForms(policy), a.cfg.Auth.KeyCacheTTL)
		warnPayloadOnly(stdout, policy)
		return nil
	case "tier":
		if *partnerName == "" || *tier == "" {
			return usageError{msg: "keys tier needs --partner NAME --tier TIER"}
		}
		if err := a.partners.SetTier(ctx, *partnerName, opts.Tier); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner %s is now %s (%d requests per minute); running servers apply it within %s\n",
			*partnerName, opts.Tier, a.cfg.RateLimit.Tiers[opts.Tier], a.cfg.Auth.KeyCacheTTL)
		return nil
	}
	return usageError{msg: fmt.Sprintf("unknown keys subcommand %q", args[0])}
}

// writeKeyFile writes a new key file readable by its owner only, refusing to
// overwrite an existing file.
func writeKeyFile(path string, k partner.NewKey) error {
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

// signatureForms says what a signature policy accepts.
func signatureForms(policy string) string {
	if policy == partner.SignatureNetXD {
		return "ACCOUNTD-V2 and NetXD's payload-only signature"
	}
	return "only ACCOUNTD-V2 signatures"
}

// warnPayloadOnly tells the operator what a NETXD key risks.
func warnPayloadOnly(w io.Writer, policy string) {
	if policy == partner.SignatureNetXD {
		fmt.Fprintln(w, "WARNING: this key accepts NetXD's payload-only signature: whoever captures one of its requests "+
			"can send it again under a new id. Move it to V2 (`accountd keys signature KEYID V2`) as soon as the partner signs ACCOUNTD-V2.")
	}
}

// countActiveKeys counts the active keys by signature policy.
func countActiveKeys(st *store.Store) (map[string]int, error) {
	keys, err := st.ListAPIKeys(context.Background())
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, p := range partner.SignaturePolicies {
		counts[p] = 0
	}
	for _, k := range keys {
		if k.Status == partner.KeyActive {
			counts[k.Signature]++
		}
	}
	return counts, nil
}

func printKeys(w io.Writer, keys []partner.APIKey) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY ID\tPARTNER\tTIER\tSTATUS\tSIGNATURE\tCREATED\tREVOKED\tMETHODS")
	netxd := false
	for _, k := range keys {
		revoked := "-"
		if !k.RevokedAt.IsZero() {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		methods := "all"
		if len(k.Methods) > 0 {
			methods = strings.Join(k.Methods, ",")
		}
		signature := k.Signature
		if signature == partner.SignatureNetXD {
			signature += "*"
			netxd = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.KeyID, k.PartnerName, k.PartnerTier, k.Status, signature,
			k.CreatedAt.Format(time.RFC3339), revoked, methods)
	}
	tw.Flush()
	if netxd {
		fmt.Fprintln(w, "* also accepts NetXD's payload-only signature, which a captured request can be replayed with; "+
			"move the key to V2 with `accountd keys signature KEYID V2`")
	}
}
