package seal

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sinba/survey"
)

// The compact encoding of a record's content (format 2): what is sealed
// for coordinators and team, answers and notes, written against the
// instrument version the record was made with instead of as JSON. A field
// is its index among the version's questions, a code its index in the
// question's code list, a number, a date or a month a varint; anything that
// does not fit its question (an unknown field, a code outside the list, a
// value of another kind) is written as a self-describing value, so every
// content the JSON form could carry decodes to exactly the answers JSON
// would give back. The layout is in sync/README.md ("Compact content").
//
// A published instrument version never changes, so the same version gives
// the same field and code indexes wherever the record is opened.

// contentCompact is the first byte of a content in the compact form; the
// JSON form starts with '{'.
const contentCompact = 0x02

// Kinds of a question in the compact encoding.
const (
	kindAny = iota
	kindText
	kindNumber
	kindBool
	kindCode
	kindCodes
	kindDate
	kindMonth
	kindGroup
)

// schema is what the compact encoding needs of an instrument version: its
// questions in order (top-level ones; a group's items in its own schema).
type schema struct {
	fields []field
	index  map[string]int
}

type field struct {
	id    string
	kind  int
	codes []string       // kindCode, kindCodes
	code  map[string]int // index in codes
	items *schema        // kindGroup
}

// schemaOf reads the questions of an instrument definition (its published
// JSON body) for the compact encoding.
func schemaOf(body []byte) (*schema, error) {
	type question struct {
		ID       string      `json:"id"`
		Type     string      `json:"type"`
		Codelist string      `json:"codelist"`
		Items    []*question `json:"items"`
	}
	var doc struct {
		Codelists map[string]*struct {
			Codes []struct {
				Code string `json:"code"`
			} `json:"codes"`
		} `json:"codelists"`
		Sections []struct {
			Questions []*question `json:"questions"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("seal: instrument definition: %w", err)
	}
	var build func(qs []*question, depth int) (*schema, error)
	build = func(qs []*question, depth int) (*schema, error) {
		if depth > 8 {
			return nil, errors.New("seal: instrument definition: groups nested too deep")
		}
		s := &schema{index: make(map[string]int, len(qs))}
		for _, q := range qs {
			if q == nil {
				continue
			}
			if _, dup := s.index[q.ID]; dup {
				continue // the first question of an id is the one answers name
			}
			f := field{id: q.ID}
			switch survey.QuestionType(q.Type) {
			case survey.TypeText, survey.TypeLookup:
				f.kind = kindText
			case survey.TypeInteger, survey.TypeDecimal:
				f.kind = kindNumber
			case survey.TypeYesNo:
				f.kind = kindBool
			case survey.TypeSingle, survey.TypeMulti:
				f.kind = kindCode
				if q.Type == string(survey.TypeMulti) {
					f.kind = kindCodes
				}
				if cl := doc.Codelists[q.Codelist]; cl != nil {
					f.code = make(map[string]int, len(cl.Codes))
					for _, c := range cl.Codes {
						if _, dup := f.code[c.Code]; !dup {
							f.code[c.Code] = len(f.codes)
							f.codes = append(f.codes, c.Code)
						}
					}
				}
			case survey.TypeDate:
				f.kind = kindDate
			case survey.TypeMonthYear:
				f.kind = kindMonth
			case survey.TypeGroup:
				f.kind = kindGroup
				items, err := build(q.Items, depth+1)
				if err != nil {
					return nil, err
				}
				f.items = items
			}
			s.index[q.ID] = len(s.fields)
			s.fields = append(s.fields, f)
		}
		return s, nil
	}
	var qs []*question
	for _, sec := range doc.Sections {
		qs = append(qs, sec.Questions...)
	}
	return build(qs, 0)
}

// notHeldReasons are the reasons of a "datum not held" mark by their index
// in the compact encoding: frozen with it (a new reason goes at the end).
var notHeldReasons = [...]survey.NotHeldReason{
	survey.ReasonNotCollected, survey.ReasonPaperOnly, survey.ReasonOtherBody, survey.ReasonNotApplicable, survey.ReasonOther,
}

// Tags of a self-describing value.
const (
	tagNull = iota
	tagFalse
	tagTrue
	tagFloat // 8 bytes, IEEE 754 little-endian
	tagString
	tagArray
	tagObject
	tagInt // zigzag varint of an integral number
)

// maxDepth bounds the nesting of self-describing values a decoder follows.
const maxDepth = 64

// Meta flags.
const (
	metaNotHeld = 1 << iota
	metaReason
	metaNote
)

// encodeContent writes c against s in the compact form.
func encodeContent(s *schema, c *Content) ([]byte, error) {
	out := make([]byte, 1, 256)
	out[0] = contentCompact
	var err error
	if out, err = encodeMap(out, s, c.Answers, 0); err != nil {
		return nil, err
	}
	out = encodeMeta(out, s, c.Meta)
	if len(c.Replies) == 0 {
		return append(out, 0), nil
	}
	j, err := json.Marshal(c.Replies)
	if err != nil {
		return nil, err
	}
	out = binary.AppendUvarint(out, uint64(len(j)))
	return append(out, j...), nil
}

// encodeMap writes answers (or a group item's): the count of known fields,
// each as the gap from the previous field's index and its value, then the
// count of other keys, each with a self-describing value, in key order.
func encodeMap(out []byte, s *schema, m map[string]any, depth int) ([]byte, error) {
	known := make([]int, 0, len(m))
	var extra []string
	for k := range m {
		if i, ok := s.index[k]; ok {
			known = append(known, i)
		} else {
			extra = append(extra, k)
		}
	}
	slices.Sort(known)
	out = binary.AppendUvarint(out, uint64(len(known)))
	prev := -1
	var err error
	for _, i := range known {
		out = binary.AppendUvarint(out, uint64(i-prev-1))
		prev = i
		if out, err = encodeField(out, &s.fields[i], m[s.fields[i].id], depth); err != nil {
			return nil, err
		}
	}
	return encodeExtra(out, extra, m, depth)
}

func encodeExtra(out []byte, keys []string, m map[string]any, depth int) ([]byte, error) {
	sorted, err := jsonKeys(keys)
	if err != nil {
		return nil, err
	}
	out = binary.AppendUvarint(out, uint64(len(sorted)))
	for _, k := range sorted {
		out = appendString(out, k.norm)
		if out, err = encodeAny(out, m[k.orig], depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// key is a map key as written (norm, as JSON would give it back) and as held.
type key struct{ orig, norm string }

// jsonKeys sorts keys by what JSON gives back for them; two keys JSON would
// merge into one cannot be written.
func jsonKeys(keys []string) ([]key, error) {
	out := make([]key, len(keys))
	for i, k := range keys {
		out[i] = key{k, validString(k)}
	}
	slices.SortFunc(out, func(a, b key) int { return strings.Compare(a.norm, b.norm) })
	for i := 1; i < len(out); i++ {
		if out[i].norm == out[i-1].norm {
			return nil, fmt.Errorf("seal: two keys read back as %q", out[i].norm)
		}
	}
	return out, nil
}

// encodeField writes v as a value of f: in the field's own form when it
// fits, else 0 and a self-describing value.
func encodeField(out []byte, f *field, v any, depth int) ([]byte, error) {
	switch f.kind {
	case kindText:
		if s, ok := v.(string); ok && utf8.ValidString(s) {
			out = binary.AppendUvarint(out, uint64(len(s))+1)
			return append(out, s...), nil
		}
	case kindNumber:
		if x, ok := number(v); ok {
			if n, ok := integral(x); ok {
				return binary.AppendUvarint(out, zigzag(n)+1), nil
			}
		}
	case kindBool:
		if b, ok := v.(bool); ok {
			if b {
				return append(out, 2), nil
			}
			return append(out, 1), nil
		}
	case kindCode:
		if s, ok := v.(string); ok {
			if i, ok := f.code[s]; ok {
				return binary.AppendUvarint(out, uint64(i)+1), nil
			}
		}
	case kindCodes:
		if list, ok := stringList(v); ok {
			out = binary.AppendUvarint(out, uint64(len(list))+1)
			for _, s := range list {
				if i, ok := f.code[s]; ok {
					out = binary.AppendUvarint(out, uint64(i)+1)
				} else {
					out = appendString(append(out, 0), validString(s))
				}
			}
			return out, nil
		}
	case kindDate:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.DateOnly, s); err == nil && t.Format(time.DateOnly) == s {
				return binary.AppendUvarint(out, zigzag((t.Unix()-epoch.Unix())/86400)+1), nil
			}
		}
	case kindMonth:
		if s, ok := v.(string); ok {
			if t, err := time.Parse("01/2006", s); err == nil && t.Format("01/2006") == s {
				return binary.AppendUvarint(out, zigzag(int64(t.Year()-epoch.Year())*12+int64(t.Month()-1))+1), nil
			}
		}
	case kindGroup:
		if items, ok := v.([]any); ok && f.items != nil && depth < maxDepth {
			fits := true
			for _, it := range items {
				if _, ok := it.(map[string]any); !ok {
					fits = false
				}
			}
			if fits {
				out = binary.AppendUvarint(out, uint64(len(items))+1)
				var err error
				for _, it := range items {
					if out, err = encodeMap(out, f.items, it.(map[string]any), depth+1); err != nil {
						return nil, err
					}
				}
				return out, nil
			}
		}
	}
	return encodeAny(append(out, 0), v, depth+1)
}

// epoch is where dates and months count from.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func zigzag(n int64) uint64   { return uint64(n<<1) ^ uint64(n>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// integral is x as an integer when it is one that a float64 holds exactly
// (and not -0, which JSON keeps apart).
func integral(x float64) (int64, bool) {
	if x != math.Trunc(x) || math.Abs(x) > 1<<53 || (x == 0 && math.Signbit(x)) {
		return 0, false
	}
	return int64(x), true
}

// number is v as the float64 JSON would give back, for the types answers
// hold numbers in; others go through JSON itself (encodeAny).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsInf(x, 0) && !math.IsNaN(x)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func stringList(v any) ([]string, bool) {
	switch l := v.(type) {
	case []string:
		return l, true
	case []any:
		out := make([]string, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// validString is s as JSON gives it back: invalid UTF-8 becomes U+FFFD.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	j, _ := json.Marshal(s)
	var back string
	json.Unmarshal(j, &back)
	return back
}

func appendString(out []byte, s string) []byte {
	out = binary.AppendUvarint(out, uint64(len(s)))
	return append(out, s...)
}

// encodeAny writes a self-describing value, as JSON would give v back.
func encodeAny(out []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, errors.New("seal: answer nested too deep")
	}
	switch x := v.(type) {
	case nil:
		return append(out, tagNull), nil
	case bool:
		if x {
			return append(out, tagTrue), nil
		}
		return append(out, tagFalse), nil
	case string:
		return appendString(append(out, tagString), validString(x)), nil
	case float64, int, int64:
		f, ok := number(x)
		if !ok {
			return nil, fmt.Errorf("seal: number %v cannot be written", x)
		}
		if n, ok := integral(f); ok {
			return binary.AppendUvarint(append(out, tagInt), zigzag(n)), nil
		}
		return binary.LittleEndian.AppendUint64(append(out, tagFloat), math.Float64bits(f)), nil
	case []any:
		out = binary.AppendUvarint(append(out, tagArray), uint64(len(x)))
		var err error
		for _, e := range x {
			if out, err = encodeAny(out, e, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		keys, err := jsonKeys(slices.Collect(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}))
		if err != nil {
			return nil, err
		}
		out = binary.AppendUvarint(append(out, tagObject), uint64(len(keys)))
		for _, k := range keys {
			out = appendString(out, k.norm)
			if out, err = encodeAny(out, x[k.orig], depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// Any other type: as JSON writes and reads it back.
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var back any
	if err := json.Unmarshal(j, &back); err != nil {
		return nil, err
	}
	return encodeAny(out, back, depth)
}

func encodeMeta(out []byte, s *schema, meta map[string]survey.FieldMeta) []byte {
	known := make([]int, 0, len(meta))
	var extra []key
	for k := range meta {
		if i, ok := s.index[k]; ok {
			known = append(known, i)
		} else {
			extra = append(extra, key{k, validString(k)})
		}
	}
	slices.Sort(known)
	out = binary.AppendUvarint(out, uint64(len(known)))
	prev := -1
	for _, i := range known {
		out = binary.AppendUvarint(out, uint64(i-prev-1))
		prev = i
		out = appendMeta(out, meta[s.fields[i].id])
	}
	// Keys JSON reads back as one are merged as JSON merges them: the
	// last in key order wins.
	slices.SortFunc(extra, func(a, b key) int { return strings.Compare(a.norm, b.norm) })
	merged := extra[:0]
	for _, k := range extra {
		if n := len(merged); n > 0 && merged[n-1].norm == k.norm {
			merged[n-1] = k
			continue
		}
		merged = append(merged, k)
	}
	out = binary.AppendUvarint(out, uint64(len(merged)))
	for _, k := range merged {
		out = appendString(out, k.norm)
		out = appendMeta(out, meta[k.orig])
	}
	return out
}

func appendMeta(out []byte, m survey.FieldMeta) []byte {
	flags := byte(0)
	if m.NotHeld {
		flags |= metaNotHeld
	}
	if m.Reason != "" {
		flags |= metaReason
	}
	if m.Note != "" {
		flags |= metaNote
	}
	out = append(out, flags)
	if m.Reason != "" {
		if i := slices.Index(notHeldReasons[:], m.Reason); i >= 0 {
			out = binary.AppendUvarint(out, uint64(i)+1)
		} else {
			out = appendString(append(out, 0), validString(string(m.Reason)))
		}
	}
	if m.Note != "" {
		out = appendString(out, validString(m.Note))
	}
	return out
}

// errCompact is any content the compact decoder cannot read.
var errCompact = errors.New("seal: content not readable")

// reader reads the compact form.
type reader struct{ b []byte }

func (r *reader) uvarint() (uint64, error) {
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		return 0, errCompact
	}
	r.b = r.b[k:]
	return n, nil
}

// count reads a count of items that take at least a byte each.
func (r *reader) count() (int, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)) {
		return 0, errCompact
	}
	return int(n), nil
}

func (r *reader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)) {
		return nil, errCompact
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b, nil
}

func (r *reader) string() (string, error) {
	n, err := r.uvarint()
	if err != nil {
		return "", err
	}
	return r.stringOf(n)
}

func (r *reader) stringOf(n uint64) (string, error) {
	b, err := r.bytes(n)
	if err != nil || !utf8.Valid(b) {
		return "", errCompact
	}
	return string(b), nil
}

func (r *reader) byte() (byte, error) {
	if len(r.b) == 0 {
		return 0, errCompact
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c, nil
}

// decodeContent reads what encodeContent wrote against the same schema.
func decodeContent(s *schema, b []byte) (*Content, error) {
	if len(b) == 0 || b[0] != contentCompact {
		return nil, errCompact
	}
	r := &reader{b: b[1:]}
	answers, err := r.decodeMap(s, 0)
	if err != nil {
		return nil, err
	}
	c := &Content{Answers: answers}
	if c.Meta, err = r.decodeMeta(s); err != nil {
		return nil, err
	}
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if n > 0 {
		j, err := r.bytes(n)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(j, &c.Replies); err != nil || len(c.Replies) == 0 {
			return nil, errCompact
		}
	}
	if len(r.b) > 0 {
		return nil, errCompact
	}
	return c, nil
}

func (r *reader) decodeMap(s *schema, depth int) (map[string]any, error) {
	var m map[string]any
	err := r.entries(s, func(n int) {
		if m == nil {
			m = make(map[string]any, n)
		}
	}, func(id string) (err error) {
		m[id], err = r.decodeField(&s.fields[s.index[id]], depth)
		return err
	}, func(k string) (err error) {
		m[k], err = r.decodeAny(depth + 1)
		return err
	})
	return m, err
}

// entries reads the two lists of a map, the known fields by their gaps and
// the other keys in strictly increasing order (none a known field): made
// is told each count, field and other read each value.
func (r *reader) entries(s *schema, made func(n int), field, other func(string) error) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	made(n)
	i := -1
	for range n {
		gap, err := r.uvarint()
		if err != nil || gap >= uint64(len(s.fields)-i-1) {
			return errCompact
		}
		i += int(gap) + 1
		if err := field(s.fields[i].id); err != nil {
			return err
		}
	}
	if n, err = r.count(); err != nil {
		return err
	}
	made(n)
	prev := ""
	for j := range n {
		k, err := r.string()
		if err != nil {
			return err
		}
		if _, known := s.index[k]; known || (j > 0 && k <= prev) {
			return errCompact
		}
		prev = k
		if err := other(k); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) decodeField(f *field, depth int) (any, error) {
	u, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if u == 0 {
		return r.decodeAny(depth + 1)
	}
	u--
	switch f.kind {
	case kindText:
		return r.stringOf(u)
	case kindNumber:
		return float64(unzigzag(u)), nil
	case kindBool:
		if u > 1 {
			return nil, errCompact
		}
		return u == 1, nil
	case kindCode:
		if u >= uint64(len(f.codes)) {
			return nil, errCompact
		}
		return f.codes[u], nil
	case kindCodes:
		if u > uint64(len(r.b)) {
			return nil, errCompact
		}
		list := make([]any, u)
		for i := range list {
			c, err := r.uvarint()
			switch {
			case err != nil:
				return nil, err
			case c == 0:
				if list[i], err = r.string(); err != nil {
					return nil, err
				}
			case c-1 >= uint64(len(f.codes)):
				return nil, errCompact
			default:
				list[i] = f.codes[c-1]
			}
		}
		return list, nil
	case kindDate:
		days := unzigzag(u)
		if days < -800_000 || days > 3_000_000 { // years 0 to 9999
			return nil, errCompact
		}
		return epoch.AddDate(0, 0, int(days)).Format(time.DateOnly), nil
	case kindMonth:
		months := unzigzag(u)
		if months < -2000*12 || months > 7999*12+11 {
			return nil, errCompact
		}
		return epoch.AddDate(0, int(months), 0).Format("01/2006"), nil
	case kindGroup:
		if f.items == nil || depth >= maxDepth || u > uint64(len(r.b)) {
			return nil, errCompact
		}
		items := make([]any, u)
		for i := range items {
			if items[i], err = r.decodeMap(f.items, depth+1); err != nil {
				return nil, err
			}
		}
		return items, nil
	}
	return nil, errCompact
}

func (r *reader) decodeAny(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errCompact
	}
	tag, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tagNull:
		return nil, nil
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagInt:
		u, err := r.uvarint()
		if err != nil {
			return nil, err
		}
		return float64(unzigzag(u)), nil
	case tagFloat:
		b, err := r.bytes(8)
		if err != nil {
			return nil, err
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(b))
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, errCompact
		}
		return f, nil
	case tagString:
		return r.string()
	case tagArray:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		list := make([]any, n)
		for i := range list {
			if list[i], err = r.decodeAny(depth + 1); err != nil {
				return nil, err
			}
		}
		return list, nil
	case tagObject:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, n)
		prev := ""
		for i := range n {
			k, err := r.string()
			if err != nil || (i > 0 && k <= prev) {
				return nil, errCompact
			}
			prev = k
			if m[k], err = r.decodeAny(depth + 1); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	return nil, errCompact
}

func (r *reader) decodeMeta(s *schema) (map[string]survey.FieldMeta, error) {
	var meta map[string]survey.FieldMeta
	read := func(k string) (err error) {
		meta[k], err = r.fieldMeta()
		return err
	}
	// No marks: nil, as JSON leaves it.
	err := r.entries(s, func(n int) {
		if n > 0 && meta == nil {
			meta = make(map[string]survey.FieldMeta, n)
		}
	}, read, read)
	return meta, err
}

func (r *reader) fieldMeta() (survey.FieldMeta, error) {
	var m survey.FieldMeta
	flags, err := r.byte()
	if err != nil || flags > metaNotHeld|metaReason|metaNote {
		return m, errCompact
	}
	m.NotHeld = flags&metaNotHeld != 0
	if flags&metaReason != 0 {
		u, err := r.uvarint()
		switch {
		case err != nil:
			return m, err
		case u == 0:
			s, err := r.string()
			if err != nil || s == "" {
				return m, errCompact
			}
			m.Reason = survey.NotHeldReason(s)
		case u-1 >= uint64(len(notHeldReasons)):
			return m, errCompact
		default:
			m.Reason = notHeldReasons[u-1]
		}
	}
	if flags&metaNote != 0 {
		if m.Note, err = r.string(); err != nil || m.Note == "" {
			return m, errCompact
		}
	}
	return m, nil
}
