package nice

import (
	"context"
	"fmt"
	"strings"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
)

// Search bounds: candidates are generated from the pattern and checked in
// batches with indexed lookups, never by scanning a table of numbers. How
// deep a page may lie and how many candidates one call may examine are
// Settings (NiceMaxSearchDepth, NiceMaxSearchCandidates).
const (
	niceSearchBatch   = 500
	defaultNiceLength = 8
	// niceSearchCtxEvery is how many candidates pass between two looks at
	// the call's context when no lookup does it.
	niceSearchCtxEvery = 1024
)

// Defaults of the search bounds. A worst-case call (every candidate looked
// up among a million taken numbers) costs about 8 µs a candidate.
const (
	DefaultNiceMaxSearchDepth      = 1_000
	DefaultNiceMaxSearchCandidates = 10_000
)

// SearchNiceNumbersInput is AccountService.SearchNiceNumbers's payload.
// pattern is digits and '*' (any one digit); a pattern shorter than length
// that starts with '*' is padded with more: "*6868" at length 8 is
// "****6868". Without a pattern, category chooses the numbers.
type SearchNiceNumbersInput struct {
	Pattern    string `json:"pattern" size:"code"`
	Length     *int   `json:"length"`
	Category   string `json:"category" size:"code"`
	CustomerID string `json:"customerID" size:"id"`
	PageNumber *int   `json:"pageNumber"`
	PageSize   *int   `json:"pageSize"`
}

// NiceNumberPage is one page of available numbers, in ascending order.
// Truncated reports that the search examined as many candidates as a call
// may (Settings.NiceMaxSearchCandidates) before it could fill the page and
// tell whether more follow: the numbers given are available, more may exist
// beyond the limit, and HasMore is false. A narrower pattern reaches them.
type NiceNumberPage struct {
	Numbers    []NiceNumberInfo `json:"numbers"`
	PageNumber int              `json:"pageNumber"`
	PageSize   int              `json:"pageSize"`
	HasMore    bool             `json:"hasMore"`
	Truncated  bool             `json:"truncated"`
}

// SearchNiceNumbers returns a page of available numbers that match the
// pattern and have the category's feature (when given), with their
// category (the most valuable feature) and fee.
func (s *Service) SearchNiceNumbers(ctx context.Context, call services.Call, in SearchNiceNumbersInput) (NiceNumberPage, error) {
	var ck checker
	page, size := ck.Paging("pageNumber", "pageSize", in.PageNumber, in.PageSize)
	if depth := s.settings.MaxSearchDepth; page*size > depth {
		msg := fmt.Sprintf("pageNumber × pageSize must be at most %d (here %d × %d); narrow the pattern instead of paging deeper", depth, page, size)
		ck.Add("pageNumber", services.ReasonInvalidValue, msg)
		ck.Add("pageSize", services.ReasonInvalidValue, msg)
	}
	category := ck.CheckEnum("category", strings.ToUpper(in.Category), false, NiceCategories...)
	length := 0
	if in.Length != nil {
		if length = *in.Length; length < MinNiceLength || length > MaxNiceLength {
			ck.Add("length", services.ReasonInvalidValue, fmt.Sprintf("must be from %d to %d", MinNiceLength, MaxNiceLength))
		}
	}
	pattern := strings.TrimSpace(in.Pattern)
	switch {
	case pattern == "" && in.Category == "":
		ck.Add("pattern", services.ReasonRequired, "give a pattern (digits and *), a category, or both")
	case strings.Trim(pattern, "0123456789*") != "" || len(pattern) > MaxNiceLength:
		ck.Add("pattern", services.ReasonInvalidFormat, fmt.Sprintf("must be at most %d digits and * (any digit), e.g. *6868 or 09**39**79", MaxNiceLength))
	}
	customerID := ck.optionalCustomerID(in.CustomerID)
	if err := ck.Err(); err != nil {
		return NiceNumberPage{}, fmt.Errorf("search nice numbers: %w", err)
	}
	c, err := s.customerOrZero(ctx, call.PartnerID, customerID)
	if err != nil {
		return NiceNumberPage{}, fmt.Errorf("search nice numbers: %w", err)
	}
	patterns, err := nicePatterns(pattern, length, category, c)
	if err != nil {
		return NiceNumberPage{}, fmt.Errorf("search nice numbers: %w", err)
	}
	ns := &niceSearch{s: s, ctx: ctx, c: c, category: category, size: size, skip: (page - 1) * size,
		budget: s.settings.MaxSearchCandidates, batch: make([]string, 0, niceSearchBatch),
		out: NiceNumberPage{Numbers: []NiceNumberInfo{}, PageNumber: page, PageSize: size}}
	if err := ns.run(patterns); err != nil {
		return NiceNumberPage{}, fmt.Errorf("search nice numbers: %w", err)
	}
	return ns.out, nil
}

// niceSearch is one search's way through its candidates: it examines at
// most budget of them, looks them up a batch at a time, skips the
// available ones before the page and fills the page.
type niceSearch struct {
	s        *Service
	ctx      context.Context
	c        customer.Customer
	category string
	size     int
	skip     int
	budget   int // candidates that may still be examined
	batch    []string
	out      NiceNumberPage
	done     bool // the page is full and HasMore known, or the budget is spent
	err      error
}

// run goes through the patterns' candidates in order until the page is
// full, the budget is spent or the candidates run out.
func (ns *niceSearch) run(patterns []string) error {
	for _, p := range patterns {
		enumerate(p, ns.examine)
		if ns.done || ns.err != nil {
			break
		}
	}
	if ns.err == nil && !ns.out.HasMore {
		ns.flush()
	}
	if ns.out.HasMore {
		ns.out.Truncated = false // the page is full and more follow: nothing is missing
	}
	return ns.err
}

// examine takes one candidate; it reports whether to go on.
func (ns *niceSearch) examine(n string) bool {
	if ns.budget == 0 {
		ns.out.Truncated, ns.done = true, true
		return false
	}
	if ns.budget--; ns.budget%niceSearchCtxEvery == 0 {
		if ns.err = ns.ctx.Err(); ns.err != nil {
			return false
		}
	}
	if ns.category != "" && !hasFeature(ClassifyNice(n, nationalDigits(ns.c.Phone), ns.c.DOB), ns.category) {
		return true
	}
	if ns.batch = append(ns.batch, n); len(ns.batch) < niceSearchBatch {
		return true
	}
	ns.flush()
	return !ns.done && ns.err == nil
}

// flush looks up the batch and takes the available numbers: skipped before
// the page, then onto the page; one more after a full page means HasMore.
func (ns *niceSearch) flush() {
	if len(ns.batch) == 0 {
		return
	}
	accounts, held, err := ns.s.store.NiceTaken(ns.ctx, ns.batch, ns.s.k.Clock.Now())
	if err != nil {
		ns.err = err
		return
	}
	for _, n := range ns.batch {
		switch {
		case accounts[n] || held[n] || ns.s.settings.Reserved[n]:
		case ns.skip > 0:
			ns.skip--
		case len(ns.out.Numbers) == ns.size:
			ns.out.HasMore, ns.done = true, true
			ns.batch = ns.batch[:0]
			return
		default:
			ns.out.Numbers = append(ns.out.Numbers, ns.s.niceInfo(n, ns.c))
		}
	}
	ns.batch = ns.batch[:0]
}

// nicePatterns turns a search into full-length patterns: the given one
// padded to length, or the category's templates.
func nicePatterns(pattern string, length int, category string, c customer.Customer) ([]string, error) {
	if pattern != "" {
		if length == 0 {
			length = max(len(pattern), MinNiceLength)
		}
		switch {
		case len(pattern) > length:
			return nil, &services.ValidationError{Fields: []services.FieldError{{Field: "pattern", Reason: services.ReasonInvalidValue, Message: "is longer than length"}}}
		case len(pattern) < length && pattern[0] != '*':
			return nil, &services.ValidationError{Fields: []services.FieldError{{Field: "pattern", Reason: services.ReasonInvalidValue,
				Message: fmt.Sprintf("has %d digits for numbers of %d; start it with * to match any prefix", len(pattern), length)}}}
		}
		return []string{strings.Repeat("*", length-len(pattern)) + pattern}, nil
	}
	if length == 0 {
		length = defaultNiceLength
	}
	var tails []string
	switch category {
	case NiceSixOfAKind, NiceFiveOfAKind, NiceFourOfAKind:
		n := map[string]int{NiceSixOfAKind: 6, NiceFiveOfAKind: 5, NiceFourOfAKind: 4}[category]
		for d := '1'; d <= '9'; d++ {
			tails = append(tails, strings.Repeat(string(d), n))
		}
		tails = append(tails, strings.Repeat("0", n))
	case NiceAscending:
		for i := 0; i+4 <= 10; i++ {
			tails = append(tails, "0123456789"[i:i+4])
		}
	case NiceDescending:
		for i := 0; i+4 <= 10; i++ {
			tails = append(tails, "9876543210"[i:i+4])
		}
	case NiceRepeatedPairs, NiceMirror:
		for a := '0'; a <= '9'; a++ {
			for b := '0'; b <= '9'; b++ {
				if a != b && category == NiceRepeatedPairs {
					tails = append(tails, string([]rune{a, b, a, b}))
				} else if a != b {
					tails = append(tails, string([]rune{a, b, b, a}))
				}
			}
		}
	case NiceLucky:
		tails = []string{"68", "86", "39", "79"}
	case NicePhone, NiceBirthday:
		return personalPatterns(category, length, c), nil
	default:
		tails = []string{""}
	}
	out := make([]string, 0, len(tails))
	for _, t := range tails {
		if len(t) <= length {
			out = append(out, strings.Repeat("*", length-len(t))+t)
		}
	}
	return out, nil
}

// personalPatterns are the customer's phone and birthday as numbers.
func personalPatterns(category string, length int, c customer.Customer) []string {
	var out []string
	if phone := nationalDigits(c.Phone); category == NicePhone && phone != "" {
		out = append(out, phone, "0"+phone)
	}
	if dob := c.DOB; category == NiceBirthday && len(dob) == 10 {
		ddmm := dob[8:10] + dob[5:7]
		out = append(out, ddmm+dob[2:4], ddmm+dob[:4])
	}
	kept := out[:0]
	for _, p := range out {
		if len(p) >= MinNiceLength && len(p) <= MaxNiceLength && (length == 0 || len(p) == length || length == defaultNiceLength) {
			kept = append(kept, p)
		}
	}
	return kept
}

// enumerate calls f with every number matching pattern (digits and '*'),
// in ascending order, until f returns false. A '*' in the first place is
// 1-9: generated candidates do not start with 0.
func enumerate(pattern string, f func(string) bool) {
	b := []byte(pattern)
	var free []int
	for i, ch := range b {
		if ch == '*' {
			free = append(free, i)
			b[i] = '0'
			if i == 0 {
				b[i] = '1'
			}
		}
	}
	for {
		if !f(string(b)) {
			return
		}
		// Increment the free positions as a number, last position fastest.
		k := len(free) - 1
		for ; k >= 0; k-- {
			i := free[k]
			if b[i] < '9' {
				b[i]++
				break
			}
			b[i] = '0'
			if i == 0 {
				b[i] = '1'
			}
		}
		if k < 0 {
			return
		}
	}
}

func hasFeature(f NiceFeatures, category string) bool {
	for _, x := range f.Features {
		if x == category {
			return true
		}
	}
	return false
}
