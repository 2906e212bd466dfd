// Command nodegen turns a cluster description (e2e/clusters/*.yaml) into KWOK fake
// GPU Node objects and a matching gangway.dev/v1alpha1 ClusterTopology.
//
// It is written in Go, not Python, because PyYAML is not part of the Python
// standard library and the description is nested YAML.
//
// Usage:
//
//	nodegen -description e2e/clusters/small.yaml -out DIR [-batch 256]
//	    writes DIR/nodes-000.yaml ... (multi-document, BATCH nodes each) and DIR/topology.yaml
//	nodegen -description e2e/clusters/small.yaml -print nodes|topology|all
//	    writes to stdout
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"sigs.k8s.io/yaml"
)

// Description is the cluster description file format (see e2e/clusters/README.md).
type Description struct {
	Name        string `json:"name"`
	ClusterUUID string `json:"clusterUUID"`
	Nodes       Nodes  `json:"nodes"`
	// CrossBlockBandwidthGBps is the per-GPU bandwidth between GPUs that share no level.
	CrossBlockBandwidthGBps *float64 `json:"crossBlockBandwidthGBps,omitempty"`
	// Levels go outermost first; the innermost is the host.
	Levels []Level `json:"levels"`
}

// Nodes describes every node of the cluster; they are all alike.
type Nodes struct {
	Count      int               `json:"count"`
	NamePrefix string            `json:"namePrefix"`
	GPUs       int               `json:"gpus"`
	GPUProduct string            `json:"gpuProduct"`
	CPU        string            `json:"cpu"`
	Memory     string            `json:"memory"`
	Pods       int               `json:"pods"`
	Labels     map[string]string `json:"labels,omitempty"`
}

// Level is one topology level: consecutive nodes are grouped NodesPerDomain at a time.
type Level struct {
	Name           string  `json:"name"`
	NodeLabel      string  `json:"nodeLabel"`
	NodesPerDomain int     `json:"nodesPerDomain"`
	BandwidthGBps  float64 `json:"bandwidthGBps"`
	// ValuePrefix prefixes the domain index in the label value ("rack-" → "rack-003").
	// Ignored for kubernetes.io/hostname (the node name) and nvidia.com/gpu.clique
	// (<clusterUUID>.<index>, the format GPU Feature Discovery uses).
	ValuePrefix string `json:"valuePrefix,omitempty"`
}

const (
	hostnameLabel = "kubernetes.io/hostname"
	cliqueLabel   = "nvidia.com/gpu.clique"
	gpuResource   = "nvidia.com/gpu"
)

func main() {
	descPath := flag.String("description", "", "cluster description YAML file")
	outDir := flag.String("out", "", "directory for nodes-NNN.yaml batches and topology.yaml")
	batch := flag.Int("batch", 256, "nodes per output file with -out")
	printWhat := flag.String("print", "", "print nodes, topology or all to stdout instead of -out")
	flag.Parse()
	if err := run(*descPath, *outDir, *batch, *printWhat); err != nil {
		fmt.Fprintln(os.Stderr, "nodegen:", err)
		os.Exit(1)
	}
}

func run(descPath, outDir string, batch int, printWhat string) error {
	if descPath == "" || (outDir == "") == (printWhat == "") || batch < 1 {
		return errors.New("usage: nodegen -description FILE (-out DIR [-batch N] | -print nodes|topology|all)")
	}
	desc, err := load(descPath)
	if err != nil {
		return err
	}
	nodes := make([]map[string]any, desc.Nodes.Count)
	for i := range nodes {
		nodes[i] = node(desc, i)
	}
	topology := clusterTopology(desc)
	if printWhat != "" {
		return printDocs(printWhat, nodes, topology)
	}
	return writeDir(outDir, batch, nodes, topology)
}

func load(path string) (*Description, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d Description
	if err := yaml.UnmarshalStrict(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := validate(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &d, nil
}

func validate(d *Description) error {
	switch {
	case d.Name == "":
		return errors.New("name is required")
	case d.Nodes.Count < 1 || d.Nodes.GPUs < 0 || d.Nodes.Pods < 1:
		return errors.New("nodes.count and nodes.pods must be positive, nodes.gpus not negative")
	case len(d.Levels) == 0 || d.Levels[len(d.Levels)-1].NodeLabel != hostnameLabel:
		return fmt.Errorf("levels must end with the host level (nodeLabel %s)", hostnameLabel)
	}
	for i, l := range d.Levels {
		if l.Name == "" || l.NodeLabel == "" || l.NodesPerDomain < 1 {
			return fmt.Errorf("level %d: name, nodeLabel and nodesPerDomain >= 1 are required", i)
		}
		if l.NodeLabel == cliqueLabel && d.ClusterUUID == "" {
			return fmt.Errorf("level %s: clusterUUID is required for %s", l.Name, cliqueLabel)
		}
		// Domains must nest: every inner domain lies inside exactly one outer domain.
		if i > 0 && d.Levels[i-1].NodesPerDomain%l.NodesPerDomain != 0 {
			return fmt.Errorf("level %s: nodesPerDomain %d does not divide the enclosing level's %d",
				l.Name, l.NodesPerDomain, d.Levels[i-1].NodesPerDomain)
		}
	}
	if d.Levels[len(d.Levels)-1].NodesPerDomain != 1 {
		return errors.New("the host level must have nodesPerDomain: 1")
	}
	return nil
}

func nodeName(d *Description, i int) string {
	width := len(strconv.Itoa(d.Nodes.Count - 1))
	return fmt.Sprintf("%s%0*d", d.Nodes.NamePrefix, width, i)
}

// levelValue is the label value of node i's domain at level l.
func levelValue(d *Description, l Level, i int) string {
	index := i / l.NodesPerDomain
	domains := (d.Nodes.Count + l.NodesPerDomain - 1) / l.NodesPerDomain
	width := len(strconv.Itoa(domains - 1))
	switch l.NodeLabel {
	case hostnameLabel:
		return nodeName(d, i)
	case cliqueLabel:
		return fmt.Sprintf("%s.%d", d.ClusterUUID, index)
	}
	return fmt.Sprintf("%s%0*d", l.ValuePrefix, width, index)
}

func node(d *Description, i int) map[string]any {
	name := nodeName(d, i)
	labels := map[string]string{
		"type":                    "kwok",
		"kubernetes.io/os":        "linux",
		"kubernetes.io/arch":      "amd64",
		"nvidia.com/gpu.present":  "true",
		"nvidia.com/gpu.product":  d.Nodes.GPUProduct,
		"nvidia.com/gpu.count":    strconv.Itoa(d.Nodes.GPUs),
		"gangway.dev/e2e-cluster": d.Name,
		hostnameLabel:             name,
	}
	for k, v := range d.Nodes.Labels {
		labels[k] = v
	}
	for _, l := range d.Levels {
		labels[l.NodeLabel] = levelValue(d, l, i)
	}
	resources := map[string]string{
		"cpu":       d.Nodes.CPU,
		"memory":    d.Nodes.Memory,
		"pods":      strconv.Itoa(d.Nodes.Pods),
		gpuResource: strconv.Itoa(d.Nodes.GPUs),
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Node",
		"metadata": map[string]any{
			"name": name,
			// KWOK's controller only manages nodes carrying this annotation.
			"annotations": map[string]string{"kwok.x-k8s.io/node": "fake"},
			"labels":      labels,
		},
		// No taints: ordinary pods must be able to land on these nodes.
		"spec": map[string]any{},
		// Node status is kept on create, so the scheduler sees the GPUs at once;
		// KWOK's node-initialize stage adds conditions, addresses and nodeInfo.
		"status": map[string]any{"capacity": resources, "allocatable": resources},
	}
}

func clusterTopology(d *Description) map[string]any {
	levels := make([]map[string]any, len(d.Levels))
	for i, l := range d.Levels {
		levels[i] = map[string]any{"name": l.Name, "nodeLabel": l.NodeLabel, "bandwidthGBps": l.BandwidthGBps}
	}
	spec := map[string]any{"levels": levels}
	if d.CrossBlockBandwidthGBps != nil {
		spec["crossBlockBandwidthGBps"] = *d.CrossBlockBandwidthGBps
	}
	return map[string]any{
		"apiVersion": "gangway.dev/v1alpha1",
		"kind":       "ClusterTopology",
		"metadata":   map[string]any{"name": d.Name},
		"spec":       spec,
	}
}

func encode(docs ...map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	for _, doc := range docs {
		out, err := yaml.Marshal(doc)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(out)
	}
	return buf.Bytes(), nil
}

func printDocs(what string, nodes []map[string]any, topology map[string]any) error {
	var docs []map[string]any
	switch what {
	case "nodes":
		docs = nodes
	case "topology":
		docs = []map[string]any{topology}
	case "all":
		docs = append(append(docs, nodes...), topology)
	default:
		return fmt.Errorf("-print must be nodes, topology or all, not %q", what)
	}
	out, err := encode(docs...)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

func writeDir(dir string, batch int, nodes []map[string]any, topology map[string]any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for start := 0; start < len(nodes); start += batch {
		out, err := encode(nodes[start:min(start+batch, len(nodes))]...)
		if err != nil {
			return err
		}
		name := filepath.Join(dir, fmt.Sprintf("nodes-%03d.yaml", start/batch))
		if err := os.WriteFile(name, out, 0o644); err != nil {
			return err
		}
	}
	out, err := encode(topology)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "topology.yaml"), out, 0o644)
}
