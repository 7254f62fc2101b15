package seal

// SealWithKey seals plain, the plaintext of one part of one revision, under
// a given batch key, for the test vectors.
func SealWithKey(batchKey []byte, part string, env Envelope, plain []byte) ([]byte, []byte, error) {
	key, err := recordKey(batchKey, part, env.Revision)
	if err != nil {
		return nil, nil, err
	}
	ct, err := sealPart(part, batchKey, env, plain)
	return key, ct, err
}

// OpenWithKey opens what SealWithKey sealed.
func OpenWithKey(batchKey []byte, part string, env Envelope, ct []byte) ([]byte, error) {
	return openPart(part, batchKey, env, ct)
}

// EncodeIdentity and DecodeIdentity are the compact identification.
var (
	EncodeIdentity = encodeIdentity
	DecodeIdentity = decodeIdentity
)
