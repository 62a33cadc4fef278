package load

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Fixture is the data a run's calls refer to, created through the API by
// the setup phase: customers to open accounts and hold numbers for,
// accounts to read and inquire, and a block of nice numbers no one holds.
// Everything a call creates carries the run's token, so that repeated runs
// on one database never collide.
type Fixture struct {
	// Run is the run's random token, in every document number, e-mail
	// and request id the run sends.
	Run string
	// BankCode is the bank's code in name inquiries (bank.code).
	BankCode string

	customers []string // customer IDs
	accounts  []string // account numbers
	// niceBlock is the first digits of the 12-digit numbers the run holds,
	// one after the other; SearchNiceNumbers found the block free.
	niceBlock string
	seq       *atomic.Uint64 // draws the unique numbers of created things
}

// niceCounterDigits is how many digits of a held number count up after the
// block's prefix: ten million holds a run.
const niceCounterDigits = 7

// niceNumberLength is the length of the numbers a run holds.
const niceNumberLength = 12

// newFixture returns an empty fixture with a fresh run token.
func newFixture(bankCode string) (*Fixture, error) {
	// Eight base-36 digits: from 36^7 to 36^8-1.
	const low, high = 78364164096, 2821109907456
	n, err := rand.Int(rand.Reader, big.NewInt(high-low))
	if err != nil {
		return nil, fmt.Errorf("draw the run token: %w", err)
	}
	run := strings.ToUpper(strconv.FormatInt(low+n.Int64(), 36))
	return &Fixture{Run: run, BankCode: bankCode, seq: new(atomic.Uint64)}, nil
}

// forCeiling is a copy whose unique numbers count apart: the ceiling
// stores nothing, and the target's numbers stay unused until its own run.
func (f *Fixture) forCeiling() *Fixture {
	c := *f
	c.seq = new(atomic.Uint64)
	return &c
}

// next draws the next unique number of the run.
func (f *Fixture) next() uint64 { return f.seq.Add(1) }

// account is the n-th account, round the setup's accounts.
func (f *Fixture) account(n uint64) string {
	if len(f.accounts) == 0 {
		return "100000000000000"
	}
	return f.accounts[n%uint64(len(f.accounts))]
}

// customer is the n-th customer, round the setup's customers.
func (f *Fixture) customer(n uint64) string {
	if len(f.customers) == 0 {
		return "100000000000000"
	}
	return f.customers[n%uint64(len(f.customers))]
}

// niceNumber is the k-th number of the run's block.
func (f *Fixture) niceNumber(k uint64) string {
	block := f.niceBlock
	if block == "" {
		block = "10000"
	}
	return fmt.Sprintf("%s%0*d", block, niceCounterDigits, k%1e7)
}

// newCustomer is an AddCustomer payload whose passport number and e-mail
// address are the run's k-th.
func (f *Fixture) newCustomer(k uint64) []byte {
	suffix := strings.ToUpper(strconv.FormatUint(k, 36))
	return fmt.Appendf(nil, `{"type":"INDIVIDUAL","firstName":"Load","lastName":"Test","DOB":"19850412",`+
		`"identification":[{"type":"PASSPORT","value":"L%s%s"}],"contact":{"email":"load-%s-%s@example.com"}}`,
		f.Run, suffix, strings.ToLower(f.Run), strings.ToLower(suffix))
}

// setup creates through the API the data mix's calls need: customers (each
// with one account) when a method reads accounts or names a customer, and a
// free block of nice numbers for HoldNiceNumber.
func setup(ctx context.Context, c *caller, f *Fixture, mix Mix, customers int) error {
	if mix.needs("GetDetails", "ValidateName", "AddAccount", "HoldNiceNumber") {
		if err := f.createCustomers(ctx, c, customers); err != nil {
			return err
		}
	}
	if mix.needs("HoldNiceNumber") {
		return f.findNiceBlock(ctx, c)
	}
	return nil
}

// createCustomers creates n customers, each with one account, n/8 at a
// time.
func (f *Fixture) createCustomers(ctx context.Context, c *caller, n int) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		work = make(chan struct{})
	)
	for range max(1, n/8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				customerID, number, err := f.createCustomer(ctx, c)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					f.customers = append(f.customers, customerID)
					f.accounts = append(f.accounts, number)
				}
				mu.Unlock()
			}
		}()
	}
	for range n {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("setup: %d of %d customers failed, the first: %w", len(errs), n, errs[0])
	}
	return nil
}

// createCustomer creates one customer and an account for it.
func (f *Fixture) createCustomer(ctx context.Context, c *caller) (customerID, accountNumber string, err error) {
	var cust struct {
		ID string `json:"ID"`
	}
	if err := c.must(ctx, "CustomerService.AddCustomer", f.newCustomer(f.next()), &cust); err != nil {
		return "", "", err
	}
	var acct struct {
		AccountNumber string `json:"accountNumber"`
	}
	payload := fmt.Appendf(nil, `{"customerID":%q,"name":"LOAD TEST","accountType":"CHECKING","currency":"USD"}`, cust.ID)
	if err := c.must(ctx, "CustomerService.AddAccount", payload, &acct); err != nil {
		return "", "", err
	}
	return cust.ID, acct.AccountNumber, nil
}

// findNiceBlock picks a random block of 12-digit numbers and asks
// SearchNiceNumbers whether its first numbers are free; a block where they
// are not (another run's) is left for another.
func (f *Fixture) findNiceBlock(ctx context.Context, c *caller) error {
	const tries, page = 5, 10
	for range tries {
		n, err := rand.Int(rand.Reader, big.NewInt(90000))
		if err != nil {
			return fmt.Errorf("setup: draw a block of nice numbers: %w", err)
		}
		block := strconv.FormatInt(10000+n.Int64(), 10)
		payload := fmt.Appendf(nil, `{"pattern":"%s%s","length":%d,"pageSize":%d}`,
			block, strings.Repeat("*", niceCounterDigits), niceNumberLength, page)
		var res struct {
			Numbers []struct {
				Number string `json:"number"`
			} `json:"numbers"`
		}
		if err := c.must(ctx, "AccountService.SearchNiceNumbers", payload, &res); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		f.niceBlock = block
		free := len(res.Numbers) == page
		for i, num := range res.Numbers {
			free = free && num.Number == f.niceNumber(uint64(i))
		}
		if free {
			return nil
		}
	}
	return errors.New("setup: found no free block of nice numbers to hold")
}

// decodeResult reads a call's result into out.
func decodeResult(result json.RawMessage, out any) error {
	if err := json.Unmarshal(result, out); err != nil {
		return fmt.Errorf("read the result: %w", err)
	}
	return nil
}
