package seal

// SealWithKey seals plain as part of one revision under a given batch key,
// for the test vectors.
func SealWithKey(batchKey []byte, part string, env Envelope, plain []byte) ([]byte, []byte, error) {
	key, err := recordKey(batchKey, part, env.Revision)
	if err != nil {
		return nil, nil, err
	}
	s := &BatchSealer{}
	ct, err := s.sealPart(part, batchKey, env, plain)
	return key, ct, err
}

// OpenWithKey opens what SealWithKey sealed.
func OpenWithKey(batchKey []byte, part string, env Envelope, ct []byte) ([]byte, error) {
	return (&Opener{}).openPart(part, batchKey, env, ct)
}
