package torii

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sync starts the sync of a custom integration's app account with an uploaded file.
// Torii runs the sync in the background: success means it was accepted, not finished.
// While another sync of the account runs (409), it waits, backing off, for up to
// c.Wait. A failed sync request is not repeated: it may have started all the same.
func (c *Client) Sync(ctx context.Context, fileID, appAccount int64) error {
	step := fmt.Sprintf("syncing app account %d", appAccount)
	body, size, text := jsonBody(map[string]int64{"idFile": fileID, "idAppAccount": appAccount})
	if c.DryRun != nil && fileID == 0 {
		text, size = fmt.Sprintf(`{"idAppAccount":%d,"idFile":(the id of the upload)}`, appAccount), -1
	}
	file := fmt.Sprintf("file %d", fileID)
	if fileID == 0 {
		file = "the uploaded file"
	}
	c.notify(Event{Step: "sync", Message: fmt.Sprintf("starting the sync of app account %d with %s", appAccount, file)})
	deadline := c.Now().Add(c.Wait)
	for attempt := 1; ; attempt++ {
		var answer struct {
			Success bool `json:"success"`
		}
		err := c.do(ctx, request{step: step, method: http.MethodPut, url: c.BaseURL + "/services/sync/custom",
			body: body, size: size, ctype: "application/json", dry: text}, &answer)
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusConflict {
			if e != nil && e.Kind == Failed && (e.Status == 0 || e.Status >= 500) {
				e.Hint = fmt.Sprintf("the sync may have started all the same: look at the app's users in Torii before running again (torii-convert sync --app-account %d --file-id %d starts it again without uploading)", appAccount, fileID)
			}
			return err
		}
		wait := min(5*time.Second<<(attempt-1), time.Minute)
		wait = wait/2 + c.backoff(1, wait/2)
		if c.Now().Add(wait).After(deadline) {
			return &Error{Kind: Busy, Step: step,
				Message: fmt.Sprintf("another sync of the app account was still running after %s of waiting", round(c.Wait)),
				Hint:    "run again later, or wait longer with --wait (for example --wait 30m)"}
		}
		c.notify(Event{Step: "sync", Retry: true, Until: c.Now().Add(wait),
			Message: fmt.Sprintf("another sync of app account %d is running; trying again in %s (waiting up to %s)", appAccount, round(wait), round(c.Wait))})
		if err := c.Sleep(ctx, wait); err != nil {
			return &Error{Kind: Canceled, Step: step, Message: "interrupted while waiting for another sync"}
		}
	}
}
