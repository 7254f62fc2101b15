package seal

import (
	"encoding/json"
	"time"

	"sinba/assets"
	"sinba/survey"
	"sinba/survey/synth"
	"sinba/sync/wire"
)

// dictionarySamples is how many synthetic case records a dictionary is
// trained on (each municipality of them gives a municipality questionnaire
// too).
const dictionarySamples, dictionaryMunicipalities = 400, 20

// PublishedDictionary makes the zstd dictionary a coordinator publishes
// with an instrument version (body, its canonical JSON; see
// wire.Instrument.Dictionary): TrainDictionary on synthetic records only
// (survey/synth, made from the instruments shipped with the app; never real
// ones, since the server hands the dictionary out), written as the version's
// records will be sealed, in the compact form of its questions. A version
// of an instrument synth does not make gets none (nil, nil): its records are
// compressed without one. The same body gives the same dictionary.
func PublishedDictionary(ref *survey.Reference, body []byte) ([]byte, error) {
	var head struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, err
	}
	shipped, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		return nil, err
	}
	if _, ok := shipped.Latest(head.ID); !ok {
		return nil, nil
	}
	ds, err := synth.Generate(shipped, ref, synth.Options{Seed: 16, Cases: dictionarySamples, MunicipalityCount: dictionaryMunicipalities,
		RefDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return nil, err
	}
	var samples []survey.Record
	for _, r := range ds.Records {
		if r.Instrument == head.ID {
			samples = append(samples, r)
		}
	}
	if len(samples) < 8 {
		return nil, nil
	}
	return TrainDictionary(wire.Instrument{ID: head.ID, Version: head.Version, Body: body}, samples)
}
