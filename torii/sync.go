package torii

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/torii-convert/torii-convert/internal/httpx"
)

// Sync starts the sync of a custom integration's app account with an uploaded file.
// Torii runs the sync in the background: success means it was accepted (its answer says
// "success": true), not finished. While another sync of the account runs (409), it
// waits, backing off, for what is left of c.Wait, the last wait cut to fit. A failed
// sync request is not repeated: it may have started all the same.
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
	for attempt := 1; ; attempt++ {
		var answer struct {
			Success *bool `json:"success"`
		}
		var e *Error
		err := c.do(ctx, request{step: step, method: http.MethodPut, url: c.BaseURL + "/services/sync/custom",
			body: body, size: size, ctype: "application/json", dry: text,
			check: func() string {
				if answer.Success == nil || !*answer.Success {
					return `does not say "success": true`
				}
				return ""
			}}, &answer)
		if !errors.As(err, &e) || e.Status != http.StatusConflict {
			if e != nil && e.Kind == Failed && (e.Status == 0 || e.Status >= 500) && !e.redirected {
				e.Hint = fmt.Sprintf("the sync may have started all the same: look at the app's users in Torii before running again (torii-convert sync --app-account %d --file-id %d starts it again without uploading)", appAccount, fileID)
			}
			return err
		}
		wait := c.Budget(httpx.Backoff(attempt, 5*time.Second, time.Minute))
		if wait <= 0 {
			return &Error{Kind: Busy, Step: step,
				Message: fmt.Sprintf("another sync of the app account was still running after %s of waiting", round(c.Waited())),
				Hint:    "run again later, or wait longer with --wait (for example --wait 30m)"}
		}
		c.notify(Event{Step: "sync", Retry: true, Until: c.Now().Add(wait),
			Message: fmt.Sprintf("another sync of app account %d is running; trying again in %s (waiting up to %s in all)", appAccount, round(wait), round(c.Wait))})
		if err := c.Pause(ctx, wait); err != nil {
			return &Error{Kind: Canceled, Step: step, Message: "interrupted while waiting for another sync"}
		}
	}
}
