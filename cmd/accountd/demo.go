package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/accountd/accountd/config"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
)

// programName is how the printed command lines start; main sets it from
// os.Args[0] so that `make demo` prints ./bin/accountd.
var programName = "accountd"

// Demo partners: the first runs the walk-through, the second lets the
// fixture replay show that partners cannot see each other's data. Both are
// on the largest package tier, so that the walk-through and a full fixture
// replay fit in one minute's allowance.
const (
	demoPartner = "demo-partner"
	demoOther   = "demo-other"
	demoTier    = partner.TierPlatinum
)

// Files the demo writes for the README's walk-through: the shell variables
// it sources once the server listens, and the one-time codes the log
// channel prints (for the walk-through and replay --codes).
const (
	demoEnvFile   = "env"
	demoCodesFile = "otp.log"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	dir := fs.String("dir", "demo", "folder for the demo database, key files and payloads")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}
	if !fs.Changed("database.dsn") {
		cfg.Database.DSN = filepath.Join(*dir, "accountd.db")
	}
	if !fs.Changed("log.format") {
		cfg.Log.Format = "console"
	}
	if cfg.OTP.Channel == "" {
		cfg.OTP.Channel = "log" // the demo prints one-time codes on its console
	}
	if err := os.MkdirAll(filepath.Join(*dir, "payloads"), 0o700); err != nil {
		return fmt.Errorf("demo folder: %w", err)
	}
	if err := os.Chmod(*dir, 0o700); err != nil { // a folder from an older demo
		return fmt.Errorf("demo folder: %w", err)
	}
	dataKeyPath := "(from the configuration)"
	if cfg.EKYC.DataKey == nil {
		dataKeyPath = filepath.Join(*dir, "ekyc-data.key")
		if cfg.EKYC.DataKey, err = demoDataKey(dataKeyPath); err != nil {
			return err
		}
	}
	a, err := openAppWith(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	keyPath := filepath.Join(*dir, demoPartner+".key.json")
	otherPath := filepath.Join(*dir, demoOther+".key.json")
	partnerID, err := a.ensureKey(ctx, demoPartner, keyPath)
	if err != nil {
		return err
	}
	if _, err := a.ensureKey(ctx, demoOther, otherPath); err != nil {
		return err
	}
	payloads, err := a.seedDemo(ctx, partnerID, filepath.Join(*dir, "payloads"))
	if err != nil {
		return err
	}
	envPath, codesPath := filepath.Join(*dir, demoEnvFile), filepath.Join(*dir, demoCodesFile)
	if err := os.Remove(envPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("demo env file: %w", err)
	}
	codes, err := os.OpenFile(codesPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("demo codes file: %w", err)
	}
	defer codes.Close()
	a.console = io.MultiWriter(stdout, codes)
	return a.serve(ctx, func(addr string) {
		url := defaultURL(addr)
		if err := writeDemoEnv(envPath, url, keyPath, otherPath); err != nil {
			fmt.Fprintf(stderr, "accountd demo: %v\n", err)
		}
		fmt.Fprintf(stdout, "\naccountd demo is serving %s (Ctrl-C to stop)\n\n", url)
		fmt.Fprintf(stdout, "  database:  %s\n  key file:  %s (partner %q)\n  payloads:  %s\n", cfg.Database.DSN, keyPath, demoPartner, filepath.Join(*dir, "payloads"))
		fmt.Fprintf(stdout, "  data key:  %s (ekyc.data_key: encrypts onboarding pictures and applicant data)\n\n", dataKeyPath)
		fmt.Fprintf(stdout, "Open an account as in NetXD's AddAccount example (paste in another terminal):\n\n")
		fmt.Fprintf(stdout, "  %s call CustomerService.AddAccount %s --key %s --url %s\n\n", programName, payloads["add-account"], keyPath, url)
		fmt.Fprintf(stdout, "Look it up with the other payloads (get-customer, get-details, list-accounts, add-customer), and\nreplay the fixture scenarios with:\n\n")
		fmt.Fprintf(stdout, "  %s replay testdata/fixtures --key %s --other-key %s --codes %s --url %s\n\n", programName, keyPath, otherPath, codesPath, url)
		base := strings.TrimSuffix(url, "/jsonrpc")
		fmt.Fprintf(stdout, "Operators: %s/readyz, %s/metrics, the OpenRPC document from rpc.discover, and\n\n", base, base)
		fmt.Fprintf(stdout, "  %s audit verify --database.dsn %s\n\n", programName, cfg.Database.DSN)
		if cfg.OTP.Channel == "log" {
			fmt.Fprintf(stdout, "Run a one-time-code flow: give Wanjiru a new e-mail address; the code sent to it appears below as\n\"OTP requestId=... code=...\":\n\n")
			fmt.Fprintf(stdout, "  %s call CustomerService.AddOrUpdateEmail %s --key %s --url %s\n\n", programName, payloads["add-email"], keyPath, url)
			fmt.Fprintf(stdout, "then confirm it with the requestId and the code:\n\n")
			fmt.Fprintf(stdout, "  echo '{\"requestId\":\"REQUEST_ID\",\"otp\":\"CODE\"}' | %s call VerificationService.ConfirmOTP - --key %s --url %s\n\n", programName, keyPath, url)
		}
	})
}

// writeDemoEnv writes the shell variables of the README's walk-through:
// the server's base and JSON-RPC URLs and the flags that call it as each
// demo partner (K, K_OTHER). It
// writes a temporary file and renames it, so that a reader never sources
// half a file.
func writeDemoEnv(path, url, keyPath, otherPath string) error {
	body := fmt.Sprintf("# Written by accountd demo for the README's walk-through: . %s\n"+
		"BASE='%s'\nURL='%s'\nK='--key %s --url %s'\nK_OTHER='--key %s --url %s'\n",
		path, strings.TrimSuffix(url, "/jsonrpc"), url, keyPath, url, otherPath, url)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		return fmt.Errorf("demo env file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("demo env file: %w", err)
	}
	return nil
}

// demoDataKey reads the demo's data key from path, or draws one and
// writes it there (mode 0600), so that a rerun of the demo reads the
// pictures and applicant data of the previous runs.
func demoDataKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("demo data key %s: not 64 hex digits", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("demo data key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("demo data key: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("demo data key: %w", err)
	}
	return key, nil
}

// ensureKey reuses the key file at path when its key is still active, and
// creates a new key and file otherwise. It returns the partner's ID.
func (a *app) ensureKey(ctx context.Context, partnerName, path string) (int64, error) {
	if kf, err := client.LoadKeyFile(path); err == nil {
		keys, err := a.partners.ListKeys(ctx)
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			if k.KeyID != kf.KeyID || k.Status != partner.KeyActive {
				continue
			}
			if k.PartnerTier != demoTier { // a partner of an older demo
				if err := a.partners.SetTier(ctx, partnerName, demoTier); err != nil {
					return 0, err
				}
			}
			return k.PartnerID, nil
		}
		if err := os.Remove(path); err != nil {
			return 0, fmt.Errorf("replace stale key file: %w", err)
		}
	}
	k, err := a.partners.CreateKey(ctx, partnerName, partner.KeyOptions{Tier: demoTier})
	if err != nil {
		return 0, err
	}
	if err := writeKeyFile(path, k); err != nil {
		return 0, err
	}
	p, err := a.partners.FindPartner(ctx, partnerName)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

// demoCustomers are the seeded customers and the accounts each gets. Their
// phone numbers and identifications are outside what the fixture scenarios
// use (testdata/fixtures: +8490, +8491, +8498, +254 711 to 731, ...), so
// that a fixture replay against the demo finds none of them taken.
var demoCustomers = []struct {
	slug     string
	customer customer.AddCustomerInput
	accounts []account.AddAccountInput
}{
	{"business", customer.AddCustomerInput{
		Type: "BUSINESS", BusinessNameLegal: "Demo Fintech Ltd", DateEstablished: "20150601",
		Identification: []customer.Identification{{Type: "EIN", Value: "12-3456789"}},
		Contact:        customer.Contact{Email: "ops@demofintech.example", PhoneNumber: "+12025550100"},
		Address:        customer.Address{Line1: "1 Market Street", City: "San Francisco", State: "CA", Country: "US", ZipCode: "94105"},
	}, []account.AddAccountInput{{Name: "DEMO FINTECH POOL", AccountType: "CHECKING", Currency: "USD"}}},
	{"dave", customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Dave", LastName: "Miller", DOB: "19850412", Gender: "MALE",
		Identification: []customer.Identification{{Type: "SSN", Value: "123-45-6789"}},
		Contact:        customer.Contact{Email: "dave.miller@example.com", PhoneNumber: "+12025550142"},
	}, []account.AddAccountInput{{Name: "DAVE", AccountType: "CHECKING", Currency: "USD"}}},
	{"an", customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "An", LastName: "Nguyen", DOB: "19900115", Gender: "MALE",
		Identification: []customer.Identification{{Type: "CCCD", Value: "079090123456"}},
		Contact:        customer.Contact{Email: "an.nguyen@example.com", PhoneNumber: "+84971234567"},
		Address:        customer.Address{Line1: "12 Nguyen Hue", City: "Ho Chi Minh City", Country: "VN"},
	}, []account.AddAccountInput{{Name: "NGUYEN AN", AccountType: "CHECKING", Currency: "VND"}, {Name: "NGUYEN AN SAVINGS", AccountType: "SAVINGS", Currency: "VND"}}},
	{"wanjiru", customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Wanjiru", LastName: "Kamau", DOB: "19880304", Gender: "FEMALE",
		Identification: []customer.Identification{{Type: "NATIONAL_ID", Value: "23456789"}, {Type: "KRA_PIN", Value: "A123456789Z"}},
		Contact:        customer.Contact{Email: "wanjiru.kamau@example.com", PhoneNumber: "+254740123456"},
	}, []account.AddAccountInput{{Name: "WANJIRU KAMAU", AccountType: "WALLET", Currency: "KES"}}},
}

// seedDemo adds the demo customers and accounts unless they exist, and
// writes ready-to-send payloads; it returns their paths by name.
func (a *app) seedDemo(ctx context.Context, partnerID int64, dir string) (map[string]string, error) {
	seeded := map[string]account.CustomerView{}
	for _, dc := range demoCustomers {
		view, err := a.seedCustomer(ctx, partnerID, dc.customer, dc.accounts)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", dc.slug, err)
		}
		seeded[dc.slug] = view
	}
	dave, pool := seeded["dave"], seeded["business"].Accounts[0]
	files := map[string]any{
		// NetXD's published AddAccount example, with the demo's IDs.
		"add-account":   map[string]string{"customerID": dave.ID, "name": "DAVE", "accountType": "WALLET", "currency": "USD", "activityAccountNumber": pool.AccountID},
		"get-customer":  map[string]any{"identification": map[string]string{"type": "SSN", "value": "123456789"}},
		"get-details":   map[string]string{"accountId": dave.Accounts[0].AccountID},
		"list-accounts": map[string]any{"customerID": dave.ID, "pageNumber": 1, "pageSize": 20},
		// A new address at every start, so that the one-time-code flow can
		// be run again; verify-mobile works once (then the number is verified).
		"add-email":     map[string]any{"onboardType": "personal", "personalIdType": "101", "documentNumber": "23456789", "email": fmt.Sprintf("wanjiru.%d@example.com", time.Now().UnixNano())},
		"verify-mobile": map[string]any{"onboardType": "personal", "personalIdType": 101, "documentNumber": "23456789", "verifyType": "mobile"},
		"add-customer": customer.AddCustomerInput{Type: "INDIVIDUAL", FirstName: "Mai", LastName: "Tran", DOB: "19950720", Gender: "FEMALE",
			Identification: []customer.Identification{{Type: "PASSPORT", Value: "C7654321"}},
			Contact:        customer.Contact{Email: "mai.tran@example.com", PhoneNumber: "+84976543210"}},
	}
	paths := map[string]string{}
	for name, v := range files {
		// Compact and without a final newline: the file holds exactly the
		// bytes that go into params.payload and are signed, so a signer
		// that reads the file as it is (Java, openssl) gets it right.
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, fmt.Errorf("write payload: %w", err)
		}
		paths[name] = p
	}
	return paths, nil
}

// seedCustomer finds a demo customer by its first identification or adds it
// with its accounts, and returns it as GetCustomer shows it.
func (a *app) seedCustomer(ctx context.Context, partnerID int64, in customer.AddCustomerInput, accounts []account.AddAccountInput) (account.CustomerView, error) {
	call := services.Call{PartnerID: partnerID, KeyID: "demo-seed"}
	byID := account.GetCustomerInput{Identification: &in.Identification[0]}
	view, err := a.svc.Accounts.GetCustomer(ctx, call, byID)
	if err == nil {
		return view, nil
	}
	if !errors.Is(err, customer.ErrCustomerNotFound) {
		return view, err
	}
	c, err := a.svc.Customers.AddCustomer(ctx, call, in)
	if err != nil {
		return view, err
	}
	for _, acc := range accounts {
		acc.CustomerID = c.ID
		if _, err := a.svc.Accounts.AddAccount(ctx, call, acc); err != nil {
			return view, err
		}
	}
	return a.svc.Accounts.GetCustomer(ctx, call, byID)
}
