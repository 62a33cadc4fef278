package partner_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/partner"
)

func TestCreateKeyTier(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	tests := []struct {
		name     string
		partner  string
		opts     []partner.KeyOptions
		wantTier string
		wantErr  string // "field:REASON" when refused
	}{
		{name: "no options", partner: "delta", wantTier: partner.TierBronze},
		{name: "no tier", partner: "epsilon", opts: []partner.KeyOptions{{}}, wantTier: partner.TierBronze},
		{name: "gold", partner: "zeta", opts: []partner.KeyOptions{{Tier: partner.TierGold}}, wantTier: partner.TierGold},
		{name: "platinum", partner: "eta", opts: []partner.KeyOptions{{Tier: partner.TierPlatinum}}, wantTier: partner.TierPlatinum},
		{name: "unknown tier", partner: "theta", opts: []partner.KeyOptions{{Tier: "DIAMOND"}}, wantErr: "tier:NOT_ALLOWED"},
		{name: "lower case tier", partner: "iota", opts: []partner.KeyOptions{{Tier: "gold"}}, wantErr: "tier:NOT_ALLOWED"},
		// A new key of a known partner with a tier changes the partner's tier.
		{name: "existing partner", partner: "zeta", opts: []partner.KeyOptions{{Tier: partner.TierSilver}}, wantTier: partner.TierSilver},
		// Without a tier it keeps the partner's.
		{name: "existing partner, no tier", partner: "zeta", wantTier: partner.TierSilver},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := e.Partners.CreateKey(ctx, tt.partner, tt.opts...)
			if tt.wantErr != "" {
				if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantErr {
					t.Fatalf("got %v (%q), want a *ValidationError %s", err, got, tt.wantErr)
				}
				if _, err := e.Partners.FindPartner(ctx, tt.partner); !errors.Is(err, partner.ErrPartnerNotFound) {
					t.Fatalf("the refused key created its partner: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := e.Partners.FindPartner(ctx, tt.partner)
			if err != nil || p.Tier != tt.wantTier {
				t.Fatalf("partner: got %+v, %v; want tier %s", p, err, tt.wantTier)
			}
			key, err := e.Store.FindAPIKey(ctx, k.KeyID)
			if err != nil || key.PartnerTier != tt.wantTier {
				t.Fatalf("key: got tier %q, %v; want %s", key.PartnerTier, err, tt.wantTier)
			}
		})
	}
}

func TestSetTier(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	k, err := e.Partners.CreateKey(ctx, "gamma")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		partner  string
		tier     string
		wantTier string // the partner's tier afterwards
		wantErr  error
	}{
		{name: "gold", partner: "gamma", tier: partner.TierGold, wantTier: partner.TierGold},
		{name: "back to bronze", partner: "gamma", tier: partner.TierBronze, wantTier: partner.TierBronze},
		{name: "platinum", partner: "gamma", tier: partner.TierPlatinum, wantTier: partner.TierPlatinum},
		{name: "unknown tier", partner: "gamma", tier: "DIAMOND", wantTier: partner.TierPlatinum, wantErr: services.ErrInvalidInput},
		{name: "empty tier", partner: "gamma", tier: "", wantTier: partner.TierPlatinum, wantErr: services.ErrInvalidInput},
		{name: "unknown partner", partner: "nobody", tier: partner.TierGold, wantTier: partner.TierPlatinum, wantErr: partner.ErrPartnerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.Partners.SetTier(ctx, tt.partner, tt.tier)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if errors.Is(tt.wantErr, services.ErrInvalidInput) {
				if got := banktest.Join(banktest.FieldReasons(err)); got != "tier:NOT_ALLOWED" {
					t.Fatalf("got %q, want tier:NOT_ALLOWED", got)
				}
			}
			p, err := e.Partners.FindPartner(ctx, "gamma")
			if err != nil || p.Tier != tt.wantTier {
				t.Fatalf("partner: got %+v, %v; want tier %s", p, err, tt.wantTier)
			}
			key, err := e.Store.FindAPIKey(ctx, k.KeyID)
			if err != nil || key.PartnerTier != tt.wantTier {
				t.Fatalf("FindAPIKey: got tier %q, %v; want %s", key.PartnerTier, err, tt.wantTier)
			}
		})
	}
	// Other partners keep theirs.
	if p, err := e.Partners.FindPartner(ctx, "alpha"); err != nil || p.Tier != partner.TierBronze {
		t.Fatalf("alpha: %+v, %v", p, err)
	}
}

func TestKeyMethods(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	auth := partner.NewAuthenticator(e.Store, e.Clock, time.Minute)
	const get, add, list = "CustomerService.GetCustomer", "CustomerService.AddCustomer", "AccountService.ListAccounts"
	tests := []struct {
		name    string
		methods []string
		allowed []string
		refused []string
	}{
		{name: "all methods", methods: nil, allowed: []string{get, add, list, "Anything.Else"}},
		{name: "one method", methods: []string{get}, allowed: []string{get}, refused: []string{add, list, ""}},
		{name: "two methods", methods: []string{get, list}, allowed: []string{get, list}, refused: []string{add, "customerservice.getcustomer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := e.Partners.CreateKey(ctx, "gamma", partner.KeyOptions{Methods: tt.methods})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := e.Store.FindAPIKey(ctx, k.KeyID)
			if err != nil || !slices.Equal(stored.Methods, tt.methods) {
				t.Fatalf("FindAPIKey: got methods %q, %v; want %q", stored.Methods, err, tt.methods)
			}
			id, err := auth.Authenticate(ctx, k.KeyID, k.Credential)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(id.Methods, tt.methods) || id.Tier != partner.TierBronze || id.KeyID != k.KeyID {
				t.Fatalf("identity: got %+v, want methods %q, tier BRONZE", id, tt.methods)
			}
			for _, m := range tt.allowed {
				if !id.Allows(m) {
					t.Errorf("Allows(%q) = false, want true", m)
				}
			}
			for _, m := range tt.refused {
				if id.Allows(m) {
					t.Errorf("Allows(%q) = true, want false", m)
				}
			}
		})
	}
}

func TestIdentityTier(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	k, err := e.Partners.CreateKey(ctx, "gamma", partner.KeyOptions{Tier: partner.TierGold})
	if err != nil {
		t.Fatal(err)
	}
	auth := partner.NewAuthenticator(e.Store, e.Clock, time.Minute)
	if id, err := auth.Authenticate(ctx, k.KeyID, k.Credential); err != nil || id.Tier != partner.TierGold {
		t.Fatalf("got %+v, %v; want tier GOLD", id, err)
	}
	// A new tier reaches the identity once the cached key is stale.
	if err := e.Partners.SetTier(ctx, "gamma", partner.TierPlatinum); err != nil {
		t.Fatal(err)
	}
	e.Clock.Add(time.Minute)
	if id, err := auth.Authenticate(ctx, k.KeyID, k.Credential); err != nil || id.Tier != partner.TierPlatinum {
		t.Fatalf("after SetTier: got %+v, %v; want tier PLATINUM", id, err)
	}
}

func TestMethodCheck(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	known := []string{"CustomerService.GetCustomer", "CustomerService.AddCustomer"}
	partners := partner.NewPartners(e.Store, e.Clock).WithMethodCheck(func(m string) bool { return slices.Contains(known, m) })
	tests := []struct {
		name    string
		methods []string
		tier    string
		wantErr string // "field:REASON..." when refused
	}{
		{name: "known", methods: []string{"CustomerService.GetCustomer"}},
		{name: "all", methods: nil},
		{name: "unknown", methods: []string{"No.Such"}, wantErr: "methods:NOT_ALLOWED"},
		{name: "one of two unknown", methods: []string{"CustomerService.AddCustomer", "CustomerService.addCustomer"}, wantErr: "methods:NOT_ALLOWED"},
		{name: "unknown and a bad tier", methods: []string{"No.Such"}, tier: "DIAMOND", wantErr: "methods:NOT_ALLOWED tier:NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := partner.KeyOptions{Methods: tt.methods, Tier: tt.tier}
			before, err := partners.ListKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, err = partners.CreateKey(ctx, "gamma", opts)
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantErr {
				t.Fatalf("got %v (%q), want %q", err, got, tt.wantErr)
			}
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			after, err := partners.ListKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if created := len(after) - len(before); (tt.wantErr == "") != (created == 1) {
				t.Fatalf("%d keys created", created)
			}
		})
	}
	// Without the check, any name is stored (the command line always sets it).
	if _, err := e.Partners.CreateKey(ctx, "gamma", partner.KeyOptions{Methods: []string{"No.Such"}}); err != nil {
		t.Fatalf("without a method check: %v", err)
	}
}

// TestDefaultTier: ratelimit.default_tier reaches new partners; a tier given
// with the key still wins.
func TestDefaultTier(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	partners := partner.NewPartners(e.Store, e.Clock).WithDefaultTier(partner.TierGold)
	if _, err := partners.CreateKey(ctx, "newcomer"); err != nil {
		t.Fatal(err)
	}
	if _, err := partners.CreateKey(ctx, "explicit", partner.KeyOptions{Tier: partner.TierSilver}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"newcomer": partner.TierGold, "explicit": partner.TierSilver} {
		if p, err := partners.FindPartner(ctx, name); err != nil || p.Tier != want {
			t.Errorf("%s: tier %q, %v; want %s", name, p.Tier, err, want)
		}
	}
}
