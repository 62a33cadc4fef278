package config

import (
	"bytes"
	"fmt"
	"strings"
)

// referenceHeader opens docs/configuration.md; the table of keys follows it.
const referenceHeader = `# Configuration

<!-- Generated from the table of keys in config/keys.go by ` + "`make docs`" + `: edit the table, not this page. -->

accountd reads its configuration from defaults, then a YAML file
(` + "`--config FILE`" + `), then environment variables ` + "`ACCOUNTD_<KEY>`" + ` (dots become
underscores), then flags (` + "`--server.addr`" + `, ...); each source overrides the
ones before it. A bad value, or an unknown key in the file, stops start-up
with a message naming every bad key.

Durations need a unit (` + "`2s`, `5m`, `24h`" + `); retention periods may be given in
days (` + "`30d`" + `). Quote digit strings in YAML (` + "`\"011000015\"`" + `) so that leading zeros
stay. The start-up log line shows the whole configuration; a *secret* key
shows only whether it is set, and passwords in URLs are hidden.

Example file:

` + "```yaml" + `
server:
  addr: 0.0.0.0:8080
database:
  dsn: /var/lib/accountd/accountd.db   # or driver: postgres with a postgres:// URL
bank:
  institution_id: "011000015"
  phone_region: VN
otp:
  channel: webhook                     # one-time codes to the SMS/e-mail gateway
  webhook_url: https://sms-gateway.internal/accountd
  webhook_secret: "..."                # or ACCOUNTD_OTP_WEBHOOK_SECRET
  message_key: "..."                   # openssl rand -hex 32; the same on every replica
ekyc:
  data_key: "..."                      # openssl rand -hex 32; another key than message_key
` + "```" + `

`

// reference writes docs/configuration.md: the header, then one row per key.
func reference() []byte {
	var b bytes.Buffer
	b.WriteString(referenceHeader)
	b.WriteString("| key | environment variable | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, k := range keys {
		def := "empty"
		if s := fmt.Sprint(k.def); s != "" {
			def = "`" + s + "`"
		}
		meaning := k.doc + ". *" + k.kind
		if k.secret {
			meaning += ", secret"
		}
		meaning += "*"
		if k.flag {
			meaning += "; flag `--" + k.name + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `ACCOUNTD_%s` | %s | %s |\n", k.name, EnvName(k.name), def, strings.ReplaceAll(meaning, "|", `\|`))
	}
	return b.Bytes()
}
