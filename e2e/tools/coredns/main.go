// CoreDNS with only the plugins the e2e DNS check needs: kubernetes (the cluster's Services and
// EndpointSlices, as cluster DNS answers them), bind (listen on 127.0.0.1 only), errors and log.
// The default build compiles ~60 plugins, several with cloud SDKs; this one compiles what it runs.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
)

// The order plugins run in; CoreDNS's own list, cut down to the compiled ones.
func init() {
	dnsserver.Directives = []string{"bind", "errors", "log", "kubernetes"}
}

func main() {
	coremain.Run()
}
