package xlsform

import (
	"regexp"
	"strings"
)

// Column keys. A translatable column has a key per language, "label::it"
// and "label::en"; its header in a workbook is "label::Italiano (it)" (a
// plain "label" is the Italian one, as in a single-language XLSForm).
const (
	colType             = "type"
	colName             = "name"
	colLabelIT          = "label::it"
	colLabelEN          = "label::en"
	colHintIT           = "hint::it"
	colHintEN           = "hint::en"
	colRequired         = "required"
	colRequiredIf       = "required_if"
	colRequiredSeverity = "required_severity"
	colRelevant         = "relevant"
	colCalculation      = "calculation"
	colMin              = "min"
	colMax              = "max"
	colMinLength        = "min_length"
	colMaxLength        = "max_length"
	colPattern          = "pattern"
	colNotFuture        = "not_future"
	colMinItems         = "min_items"
	colMaxItems         = "max_items"
	colIdentifying      = "identifying"

	colListName   = "list_name"
	colListOpen   = "list_open"
	colListSource = "list_source"

	colFormID          = "form_id"
	colVersion         = "version"
	colTitleIT         = "form_title::it"
	colTitleEN         = "form_title::en"
	colDescriptionIT   = "description::it"
	colDescriptionEN   = "description::en"
	colSource          = "source"
	colDefaultLanguage = "default_language"

	colID        = "id"
	colSeverity  = "severity"
	colFields    = "fields"
	colEach      = "each"
	colWhen      = "when"
	colAssert    = "assert"
	colMessageIT = "message::it"
	colMessageEN = "message::en"

	colFrom   = "from"
	colChange = "change"
	colField  = "field"
	colOld    = "old"
	colValue  = "value"
)

// The columns of each sheet, in the order Write puts them. required_if is
// written only where a question is both required and required under a
// condition.
var sheetColumns = map[string][]string{
	SheetSurvey: {colType, colName, colLabelIT, colLabelEN, colHintIT, colHintEN, colRequired, colRequiredIf,
		colRequiredSeverity, colRelevant, colCalculation, colMin, colMax, colMinLength, colMaxLength, colPattern,
		colNotFuture, colMinItems, colMaxItems, colIdentifying},
	SheetChoices:    {colListName, colName, colLabelIT, colLabelEN, colListOpen, colListSource},
	SheetSettings:   {colFormID, colVersion, colTitleIT, colTitleEN, colDescriptionIT, colDescriptionEN, colSource, colDefaultLanguage},
	SheetRules:      {colID, colSeverity, colFields, colEach, colWhen, colAssert, colMessageIT, colMessageEN},
	SheetMigrations: {colFrom, colChange, colField, colOld, colValue},
}

// translatable are the columns that take a language.
var translatable = map[string]bool{"label": true, "hint": true, "form_title": true, "description": true, "message": true}

// header is the header Write gives the column key.
func header(key string) string {
	base, lang, ok := strings.Cut(key, "::")
	if !ok {
		return key
	}
	if lang == "en" {
		return base + "::English (en)"
	}
	return base + "::Italiano (it)"
}

var langCode = regexp.MustCompile(`\(([A-Za-z-]+)\)\s*$`)

// columnKey reads a header cell: "label::Italiano (it)", "label::it",
// "label::English", "Label" and "label" are all accepted. lang is the
// language named when it is neither Italian nor English.
func columnKey(h string) (key, lang string) {
	h = strings.TrimSpace(h)
	base, l, qualified := strings.Cut(h, "::")
	base = strings.ToLower(strings.TrimSpace(base))
	if !translatable[base] {
		if qualified {
			return strings.ToLower(h), ""
		}
		return base, ""
	}
	if !qualified {
		return base + "::it", ""
	}
	l = strings.TrimSpace(l)
	code := strings.ToLower(l)
	if m := langCode.FindStringSubmatch(l); m != nil {
		code = strings.ToLower(m[1])
	}
	switch code {
	case "it", "italiano", "italian", "ita":
		return base + "::it", ""
	case "en", "english", "inglese", "eng":
		return base + "::en", ""
	}
	return "", l
}
