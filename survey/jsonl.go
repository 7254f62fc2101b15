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

// RecordLine is one record of JSON Lines input with the review state the
// line gives it, if any (the import takes it; check and flow ignore it).
type RecordLine struct {
	Record Record
	Status Status
}

// DecodeRecordJSON reads one record of JSON Lines input; see DecodeRecordLine.
func DecodeRecordJSON(line []byte, defaultInstrument string) (Record, error) {
	l, err := DecodeRecordLine(line, defaultInstrument)
	return l.Record, err
}

// DecodeRecordLine reads one record of JSON Lines input, in either form:
//
//   - envelope: {"instrument": ..., "version": ..., "municipality": ...,
//     "answers": {...}, "meta": {...}, "identity": {...}, "id": ...}
//   - flat: field id -> answer, with the same reserved keys (id, instrument,
//     version, municipality, identity, meta, status) beside the answers.
//
// An object with an "answers" key is an envelope, and any other key beside
// the reserved ones is refused there (it would otherwise be lost).
// defaultInstrument applies when the record names none; version 0 means the
// latest. The status, when given, must be a known review state. This is the
// one reader of records of sinba import, sinba check and sinba flow.
func DecodeRecordLine(line []byte, defaultInstrument string) (RecordLine, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return RecordLine{}, Errorf("JSON non valido: %v", "invalid JSON: %v", err)
	}
	if dec.More() {
		return RecordLine{}, NewError("più di un oggetto JSON sulla riga", "more than one JSON object on the line")
	}
	rec := Record{Instrument: defaultInstrument, Answers: Answers{}}
	var status Status
	str := func(k string) (string, error) {
		var s string
		if err := json.Unmarshal(raw[k], &s); err != nil {
			return "", Errorf("%q: serve una stringa", "%q: a string is needed", k)
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
			var st string
			if st, err = str(k); err == nil {
				status = Status(st)
				if !status.Valid() {
					err = Errorf("%q: stato sconosciuto %q (draft, final, returned, approved)", "%q: unknown status %q (draft, final, returned, approved)", k, st)
				}
			}
		case "version":
			var n json.Number
			if e := json.Unmarshal(v, &n); e != nil {
				err = Errorf("%q: serve un numero", "%q: a number is needed", k)
			} else if i, e := strconv.Atoi(n.String()); e != nil || i < 0 {
				err = Errorf("%q: serve un intero positivo", "%q: a positive integer is needed", k)
			} else {
				rec.Version = i
			}
		case "meta":
			if e := json.Unmarshal(v, &rec.Meta); e != nil {
				err = Errorf("%q: serve un oggetto {campo: {not_held, reason, note}}", "%q: an object {field: {not_held, reason, note}} is needed", k)
			}
		case "identity":
			rec.Identity = &Identity{}
			d := json.NewDecoder(bytes.NewReader(v))
			d.DisallowUnknownFields()
			if e := d.Decode(rec.Identity); e != nil {
				err = fmt.Errorf("%q: %v", k, e)
			}
		case "answers":
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			if e := d.Decode(&rec.Answers); e != nil {
				err = Errorf("%q: serve un oggetto", "%q: an object is needed", k)
			}
		default:
			if _, envelope := raw["answers"]; envelope {
				err = fmt.Errorf("%q: chiave sconosciuta accanto a \"answers\" (le risposte vanno in \"answers\") / unknown key beside \"answers\" (answers belong in \"answers\")", k)
			}
		}
		if err != nil {
			return RecordLine{}, err
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
				return RecordLine{}, fmt.Errorf("%q: %v", k, err)
			}
			rec.Answers[k] = a
		}
	}
	return RecordLine{Record: rec, Status: status}, nil
}
