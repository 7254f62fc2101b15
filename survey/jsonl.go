package survey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Reserved keys of a flat JSON record (see DecodeRecordJSON). No question id
// may be one of them: ids are capitalised and these are not.
var reservedRecordKeys = map[string]bool{
	"id": true, "instrument": true, "version": true, "municipality": true,
	"identity": true, "meta": true, "answers": true, "status": true,
}

// DecodeRecordJSON reads one record of JSON Lines input, in either form:
//
//   - envelope: {"instrument": ..., "version": ..., "municipality": ...,
//     "answers": {...}, "meta": {...}, "identity": {...}, "id": ...}
//   - flat: field id -> answer, with the same reserved keys (id, instrument,
//     version, municipality, identity, meta, status) beside the answers.
//
// An object with an "answers" key is an envelope. defaultInstrument applies
// when the record names none; version 0 means the latest.
func DecodeRecordJSON(line []byte, defaultInstrument string) (Record, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Record{}, fmt.Errorf("JSON non valido / invalid JSON: %v", err)
	}
	if dec.More() {
		return Record{}, fmt.Errorf("più di un oggetto JSON sulla riga / more than one JSON object on the line")
	}
	rec := Record{Instrument: defaultInstrument, Answers: Answers{}}
	str := func(k string) (string, error) {
		var s string
		if err := json.Unmarshal(raw[k], &s); err != nil {
			return "", fmt.Errorf("%q: serve una stringa / a string is needed", k)
		}
		return s, nil
	}
	var err error
	for k, v := range raw {
		switch k {
		case "id":
			rec.ID, err = str(k)
		case "instrument":
			rec.Instrument, err = str(k)
		case "municipality":
			rec.Municipality, err = str(k)
		case "status":
			_, err = str(k) // the review state is the store's business: read and left out
		case "version":
			var n json.Number
			if e := json.Unmarshal(v, &n); e != nil {
				err = fmt.Errorf("%q: serve un numero / a number is needed", k)
			} else if i, e := strconv.Atoi(n.String()); e != nil || i < 0 {
				err = fmt.Errorf("%q: serve un intero positivo / a positive integer is needed", k)
			} else {
				rec.Version = i
			}
		case "meta":
			if e := json.Unmarshal(v, &rec.Meta); e != nil {
				err = fmt.Errorf("%q: serve un oggetto {campo: {not_held, note}} / an object {field: {not_held, note}} is needed", k)
			}
		case "identity":
			rec.Identity = &Identity{}
			if e := json.Unmarshal(v, rec.Identity); e != nil {
				err = fmt.Errorf("%q: %v", k, e)
			}
		case "answers":
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			if e := d.Decode(&rec.Answers); e != nil {
				err = fmt.Errorf("%q: serve un oggetto / an object is needed", k)
			}
		}
		if err != nil {
			return Record{}, err
		}
	}
	if _, envelope := raw["answers"]; !envelope {
		for k, v := range raw {
			if reservedRecordKeys[k] {
				continue
			}
			var a any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			if err := d.Decode(&a); err != nil {
				return Record{}, fmt.Errorf("%q: %v", k, err)
			}
			rec.Answers[k] = a
		}
	}
	return rec, nil
}
