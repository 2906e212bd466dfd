// Command etcd is etcd's server built from the published go.etcd.io/etcd/server/v3
// module. `go install go.etcd.io/etcd/server/v3@vX` is refused because that module's
// go.mod replaces its sibling modules with local paths; as a dependency of this
// module those replaces are ignored and the published siblings are used instead.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
