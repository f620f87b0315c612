package ipex

import (
	"context"
	"fmt"
)

// Options say how to sync.
type Options struct {
	BatchSize int   // 1..MaxBatch; 0 is MaxBatch
	Keys      *Keys // the helpdesk's keys, kept up to date and saved after every batch
	// AdoptConflicts sends a user whose username another helpdesk user holds again, with
	// that user's key: the existing user is updated instead of the sync failing for it.
	AdoptConflicts bool
	// Progress, when set, hears before each batch: batch k (from 1) of n.
	Progress func(k, n int)
}

// Failure is one user the helpdesk did not take.
type Failure struct {
	Email       string `json:"email"`
	Row         int    `json:"row"`
	Message     string `json:"message"`
	ConflictKey string `json:"conflictKey,omitempty"`
}

// Summary is what a sync did.
type Summary struct {
	Batches int       `json:"batches"` // requests sent (or printed, in a dry run)
	Created int       `json:"created"`
	Updated int       `json:"updated"`
	Failed  []Failure `json:"failed"`
	Sent    int       `json:"-"` // users in the batches the helpdesk answered
}

// Sync sends the users in batches, one at a time and in input order, and records each
// user's result. It stops at the first request that fails as a whole (the helpdesk's
// refusal of a batch, authentication, retries exhausted) and between batches when ctx
// is canceled; the summary then tells what was done before.
func (c *Client) Sync(ctx context.Context, users Users, o Options) (s *Summary, err error) {
	size := o.BatchSize
	if size <= 0 || size > MaxBatch {
		size = MaxBatch
	}
	if o.Keys == nil {
		o.Keys = &Keys{keys: map[string]string{}}
	}
	s = &Summary{Failed: []Failure{}}
	if c.HTTP.DryRun == nil {
		defer func() {
			// Sorted and whole again, whatever happened: each batch's keys are already in it.
			if cerr := o.Keys.Close(); err == nil {
				err = cerr
			}
		}()
	}
	total := users.Len()
	n := (total + size - 1) / size
	batch := make([]Requestor, 0, size)
	rows := make([]User, 0, size)
	interrupted := func(step string) error {
		return &Error{Kind: Canceled, Step: step,
			Message: fmt.Sprintf("interrupted; %d of %d users were sent, in %d %s", s.Sent, total, s.Batches, plural(s.Batches, "request", "requests"))}
	}
	for k := 0; k < n; k++ {
		if o.Progress != nil {
			o.Progress(k+1, n)
		}
		if ctx.Err() != nil {
			return s, interrupted(fmt.Sprintf("before batch %d of %d", k+1, n))
		}
		batch, rows = batch[:0], rows[:0]
		for i := k * size; i < min(total, (k+1)*size); i++ {
			u := users.User(i)
			rows = append(rows, u)
			batch = append(batch, requestor(u, o.Keys.Get(u.Email)))
		}
		step := fmt.Sprintf("sending batch %d of %d (%s)", k+1, n, span(rows))
		if err := c.batch(ctx, step, batch, rows, o, s); err != nil {
			if e, ok := err.(*Error); ok && e.Kind == Canceled {
				return s, interrupted(step)
			}
			return s, err
		}
	}
	return s, nil
}

// batch sends one batch, then the users whose username another helpdesk user holds,
// when they are to be adopted, and saves the keys.
func (c *Client) batch(ctx context.Context, step string, batch []Requestor, rows []User, o Options, s *Summary) error {
	results, err := c.Send(ctx, step, batch)
	if err != nil {
		return err
	}
	s.Batches++
	s.Sent += len(batch)
	var adopt []Requestor
	var adoptRows []User
	for i, r := range results {
		u, req := rows[i], batch[i]
		key := str(r.UserProviderKey)
		conflict := str(r.UserProviderKeyConflict)
		switch {
		case r.Success:
			if req.UserProviderKey != "" {
				s.Updated++
			} else {
				s.Created++
			}
			o.Keys.Set(u.Email, key)
		case conflict != "" && o.AdoptConflicts:
			req.UserProviderKey = conflict
			adopt = append(adopt, req)
			adoptRows = append(adoptRows, u)
		default:
			s.Failed = append(s.Failed, failure(u, r, c.HTTP.Scrub(str(r.ErrorMessage))))
		}
	}
	if err := c.save(o); err != nil || len(adopt) == 0 { // saved before the next request: a kill may come any time
		return err
	}
	return c.adopt(ctx, step+", again for the users taken over", adopt, adoptRows, o, s)
}

// adopt sends again the users whose username another helpdesk user holds, with that
// user's key: the helpdesk updates that user.
func (c *Client) adopt(ctx context.Context, step string, batch []Requestor, rows []User, o Options, s *Summary) error {
	results, err := c.Send(ctx, step, batch)
	if err != nil {
		return err
	}
	s.Batches++
	for i, r := range results {
		u := rows[i]
		if !r.Success {
			s.Failed = append(s.Failed, failure(u, r, c.HTTP.Scrub(str(r.ErrorMessage))))
			continue
		}
		s.Updated++
		key := str(r.UserProviderKey)
		if key == "" {
			key = batch[i].UserProviderKey
		}
		o.Keys.Set(u.Email, key)
	}
	return c.save(o)
}

// save writes the keys a batch brought, unless nothing is sent.
func (c *Client) save(o Options) error {
	if c.HTTP.DryRun != nil {
		return nil
	}
	return o.Keys.Save()
}

func failure(u User, r Result, msg string) Failure {
	f := Failure{Email: u.Email, Row: u.Row, Message: msg, ConflictKey: str(r.UserProviderKeyConflict)}
	if f.ConflictKey != "" {
		explain := fmt.Sprintf("username taken by another helpdesk user, key %s; --adopt-conflicts updates that user instead", f.ConflictKey)
		if f.Message == "" {
			f.Message = explain
		} else {
			f.Message += " (" + explain + ")"
		}
	}
	if f.Message == "" {
		f.Message = "the helpdesk did not take the user and gave no reason"
	}
	return f
}

// span names the rows of a batch: "rows 2-101", or "row 7".
func span(rows []User) string {
	first, last := rows[0].Row, rows[len(rows)-1].Row
	if first == last {
		return fmt.Sprintf("row %d", first)
	}
	return fmt.Sprintf("rows %d-%d", first, last)
}

// requestor makes the body of one user: every field, empty ones too, since the helpdesk
// clears a field it is not given.
func requestor(u User, key string) Requestor {
	ops := make([]Operation, len(u.Fields))
	for i, f := range u.Fields {
		ops[i] = Operation{Operation: OpAdd, Path: f.Path, Value: f.Value}
	}
	ext := u.ExternalID
	if ext == "" {
		ext = u.Email
	}
	return Requestor{UserProviderKey: key, ExternalID: ext, Email: u.Email, Operations: ops}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
