package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// One command per stdin line, one JSON reply line on stdout each (the Python tests' pipe):
//
//	{"op":"apply","manifest":"<YAML or JSON, several documents>","dry_run":false,"subresource":"status"}
//	{"op":"delete","apiVersion":"v1","kind":"Service","namespace":"default","name":"web"}
//	{"op":"token","namespace":"kube-system","name":"clusterip-speaker","seconds":3600}
//	{"op":"get","path":"/apis/networking.k8s.io/v1/servicecidrs"}
//	{"op":"compact"}                         (needs --etcd)
//
// Reply: {"ok":true,"result":...} or {"ok":false,"error":"...","status":403}. Objects are applied
// with server-side apply (field manager "i14-test", forced), the way `kubectl apply --server-side` does.
type command struct {
	Op          string `json:"op"`
	Manifest    string `json:"manifest"`
	DryRun      bool   `json:"dry_run"`
	Subresource string `json:"subresource"`
	APIVersion  string `json:"apiVersion"`
	Kind        string `json:"kind"`
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	Seconds     int64  `json:"seconds"`
	Path        string `json:"path"`
}

type reply struct {
	OK     bool   `json:"ok"`
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	Status int32  `json:"status,omitempty"`
}

type applied struct {
	Kind            string `json:"kind"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name"`
	ResourceVersion string `json:"resourceVersion"`
}

type client struct {
	kube   kubernetes.Interface
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
	etcd   string
}

func runClient(args []string) error {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "admin kubeconfig")
	etcd := fs.String("etcd", "", "etcd client URL, for compact")
	fs.Parse(args)
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 1000, 1000 // a test's bursts are not to be throttled on the client side
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	c := &client{kube: kube, dyn: dyn, etcd: *etcd,
		mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(kube.Discovery()))}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var cmd command
		var r reply
		if err := json.Unmarshal(in.Bytes(), &cmd); err != nil {
			r = reply{Error: "bad command: " + err.Error()}
		} else {
			r = c.do(cmd)
		}
		if err := out.Encode(r); err != nil {
			return err
		}
	}
	return in.Err()
}

func (c *client) do(cmd command) reply {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	var result any
	var err error
	switch cmd.Op {
	case "apply":
		result, err = c.apply(ctx, cmd)
	case "delete":
		err = c.delete(ctx, cmd)
	case "token":
		result, err = c.token(ctx, cmd)
	case "get":
		var body []byte
		body, err = c.kube.Discovery().RESTClient().Get().RequestURI(cmd.Path).DoRaw(ctx)
		result = string(body)
	case "compact":
		if c.etcd == "" {
			err = errors.New("compact needs --etcd")
		} else {
			result, err = compactEtcd(c.etcd)
		}
	default:
		err = fmt.Errorf("unknown op %q", cmd.Op)
	}
	if err != nil {
		r := reply{Error: err.Error()}
		var status interface{ Status() metav1.Status }
		if errors.As(err, &status) {
			r.Status = status.Status().Code
		}
		return r
	}
	return reply{OK: true, Result: result}
}

// resource finds the REST resource of a kind, asking discovery again once when it is unknown
// (the cache may predate a CRD or an API that came up after the helper started).
func (c *client) resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, error) {
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		c.mapper.Reset()
		if mapping, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return nil, err
		}
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		if namespace == "" {
			namespace = "default"
		}
		return c.dyn.Resource(mapping.Resource).Namespace(namespace), nil
	}
	return c.dyn.Resource(mapping.Resource), nil
}

func (c *client) apply(ctx context.Context, cmd command) ([]applied, error) {
	dec := yamlutil.NewYAMLOrJSONDecoder(strings.NewReader(cmd.Manifest), 4096)
	var done []applied
	for {
		var obj unstructured.Unstructured
		if err := dec.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return done, nil
			}
			return done, err
		}
		if len(obj.Object) == 0 {
			continue // an empty document between ---
		}
		ns := obj.GetNamespace()
		if ns == "" {
			ns = cmd.Namespace
		}
		ri, err := c.resource(obj.GroupVersionKind(), ns)
		if err != nil {
			return done, err
		}
		data, err := json.Marshal(obj.Object)
		if err != nil {
			return done, err
		}
		force := true
		opts := metav1.PatchOptions{FieldManager: "i14-test", Force: &force}
		if cmd.DryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		var sub []string
		if cmd.Subresource != "" {
			sub = []string{cmd.Subresource}
		}
		res, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, opts, sub...)
		if err != nil {
			return done, fmt.Errorf("%s %s/%s: %w", obj.GetKind(), ns, obj.GetName(), err)
		}
		done = append(done, applied{res.GetKind(), res.GetNamespace(), res.GetName(), res.GetResourceVersion()})
	}
}

func (c *client) delete(ctx context.Context, cmd command) error {
	ri, err := c.resource(schema.FromAPIVersionAndKind(cmd.APIVersion, cmd.Kind), cmd.Namespace)
	if err != nil {
		return err
	}
	return ri.Delete(ctx, cmd.Name, metav1.DeleteOptions{})
}

// token is a bound service-account token from the TokenRequest API, what the kubelet projects
// into a pod at /var/run/secrets/kubernetes.io/serviceaccount/token.
func (c *client) token(ctx context.Context, cmd command) (string, error) {
	seconds := cmd.Seconds
	if seconds == 0 {
		seconds = 3600
	}
	tr, err := c.kube.CoreV1().ServiceAccounts(cmd.Namespace).CreateToken(ctx, cmd.Name,
		&authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: &seconds}}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return tr.Status.Token, nil
}
