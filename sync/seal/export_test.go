package seal

// SealWithKey seals plain, the plaintext of one part of one revision, under
// a given batch key, for the test vectors.
func SealWithKey(batchKey []byte, part string, env Envelope, plain []byte) ([]byte, []byte, error) {
	key, err := recordKey(batchKey, part, env.Revision)
	if err != nil {
		return nil, nil, err
	}
	pk, err := newPartKey(batchKey)
	if err != nil {
		return nil, nil, err
	}
	ct, err := sealPart(part, pk, env, plain)
	return key, ct, err
}

// OpenWithKey opens what SealWithKey sealed.
func OpenWithKey(batchKey []byte, part string, env Envelope, ct []byte) ([]byte, error) {
	pk, err := newPartKey(batchKey)
	if err != nil {
		return nil, err
	}
	return openPart(part, pk, env, ct)
}

// EncodeIdentity and DecodeIdentity are the compact identification.
var (
	EncodeIdentity = encodeIdentity
	DecodeIdentity = decodeIdentity
)

// The compact content against an instrument definition's body.
func EncodeContent(body []byte, c *Content) ([]byte, error) {
	s, err := Schema(body)
	if err != nil {
		return nil, err
	}
	return s.Encode(c)
}

func DecodeContent(body []byte, b []byte) (*Content, error) {
	s, err := Schema(body)
	if err != nil {
		return nil, err
	}
	return s.Decode(b)
}

// CompactSchema is the question list of one body, read once.
type CompactSchema struct{ s *schema }

func Schema(body []byte) (CompactSchema, error) {
	s, err := schemaOf(body)
	return CompactSchema{s}, err
}

func (s CompactSchema) Encode(c *Content) ([]byte, error) { return encodeContent(s.s, c) }
func (s CompactSchema) Decode(b []byte) (*Content, error) { return decodeContent(s.s, b) }
