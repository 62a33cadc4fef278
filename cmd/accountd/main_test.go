package main

import (
	"os"
	"testing"
)

// testDataKey is the data key (ekyc.data_key) of the servers and commands
// the tests run: serve refuses to start without one. Set through the
// environment, so that the program built by a test inherits it too.
const testDataKey = "2806045eda555b9de16be2fbdcfc4e05a2954024ad11e9c07dfba2cde728f9e7"

func TestMain(m *testing.M) {
	if os.Getenv("ACCOUNTD_EKYC_DATA_KEY") == "" {
		os.Setenv("ACCOUNTD_EKYC_DATA_KEY", testDataKey) //nolint:errcheck // cannot fail for a valid name
	}
	os.Exit(m.Run())
}
