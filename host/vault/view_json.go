package vault

import (
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/jsonlite"
)

// AppendJSON writes v exactly as json.Marshal writes it, without
// reflection (the `list` answer, on every host start: see host/jsonlite).
func (v View) AppendJSON(b []byte) (_ []byte, err error) {
	if b, err = index.AppendTokenFields(append(b, '{'), &v.Token); err != nil {
		return nil, err
	}
	if e := v.Expiry; e != nil {
		if b, err = jsonlite.AppendTime(append(b, `,"expires_estimate":`...), e.ExpiresEstimate); err != nil {
			return nil, err
		}
		b = jsonlite.AppendInt(append(b, `,"expires_in_days":`...), e.ExpiresInDays)
		b = jsonlite.AppendBool(append(b, `,"expires_soon":`...), e.ExpiresSoon)
	}
	return append(b, '}'), nil
}
