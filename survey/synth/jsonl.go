package synth

import (
	"bufio"
	"encoding/json"
	"io"

	"sinba/survey"
)

// line is a record as `sinba import` and `sinba check` read it: the record's
// envelope with the review state it is imported in.
type line struct {
	survey.Record
	Status survey.Status `json:"status"`
}

// WriteJSONL writes the dataset as JSON Lines, one record per line.
func (d *Dataset) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, r := range d.Records {
		if err := enc.Encode(line{Record: r, Status: d.Status(r.ID)}); err != nil {
			return err
		}
	}
	return bw.Flush()
}
