// A minimal Snowflake broker for the lab (lab/snowflake/make.sh): it matches
// one client offer with one proxy poll, as the real broker does, speaking the
// broker protocol of Debian's snowflake sources (common/messages): POST
// /proxy (a proxy polls; held until a client's offer arrives or 10 s pass),
// POST /client (a client's offer; held until the matched proxy's answer), POST
// /answer (the proxy's answer, handed to the waiting client). No NAT matching,
// no metrics, no bridge choice: the lab has one client and one proxy.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"git.torproject.org/pluggable-transports/snowflake.git/v2/common/messages"
)

// An offer waiting for a proxy, and where its answer goes.
type offer struct {
	sdp    string
	answer chan string
}

type broker struct {
	offers  chan *offer
	mu      sync.Mutex
	waiting map[string]*offer // by proxy session id, between its poll and its answer
}

const readLimit = 100000

func body(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, readLimit))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return nil, false
	}
	return b, true
}

func (b *broker) proxy(w http.ResponseWriter, r *http.Request) {
	data, ok := body(w, r)
	if !ok {
		return
	}
	sid, proxyType, natType, clients, relayPattern, _, err := messages.DecodeProxyPollRequestWithRelayPrefix(data)
	if err != nil {
		log.Printf("proxy poll: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	log.Printf("proxy poll: sid %s type %s nat %s clients %d relay pattern %q", sid, proxyType, natType, clients, relayPattern)
	select {
	case o := <-b.offers:
		b.mu.Lock()
		b.waiting[sid] = o
		b.mu.Unlock()
		// An empty relay URL: the proxy connects to its own -relay.
		resp, _ := messages.EncodePollResponseWithRelayURL(o.sdp, true, "unknown", "", "")
		log.Printf("proxy %s matched with a client offer (%d bytes)", sid, len(o.sdp))
		w.Write(resp)
	case <-time.After(10 * time.Second):
		resp, _ := messages.EncodePollResponse("", false, "")
		w.Write(resp)
	}
}

func (b *broker) client(w http.ResponseWriter, r *http.Request) {
	data, ok := body(w, r)
	if !ok {
		return
	}
	req, err := messages.DecodeClientPollRequest(data)
	if err != nil {
		log.Printf("client poll: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	log.Printf("client offer: nat %s fingerprint %s, %d bytes", req.NAT, req.Fingerprint, len(req.Offer))
	o := &offer{sdp: req.Offer, answer: make(chan string, 1)}
	var resp messages.ClientPollResponse
	select {
	case b.offers <- o:
		select {
		case a := <-o.answer:
			resp.Answer = a
		case <-time.After(20 * time.Second):
			resp.Error = "timed out waiting for answer!"
		}
	case <-time.After(10 * time.Second):
		resp.Error = "no snowflake proxies currently available"
	}
	out, _ := resp.EncodePollResponse()
	log.Printf("client response: answer %d bytes, error %q", len(resp.Answer), resp.Error)
	w.Write(out)
}

func (b *broker) answer(w http.ResponseWriter, r *http.Request) {
	data, ok := body(w, r)
	if !ok {
		return
	}
	answer, sid, err := messages.DecodeAnswerRequest(data)
	if err != nil {
		log.Printf("answer: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	o := b.waiting[sid]
	delete(b.waiting, sid)
	b.mu.Unlock()
	if o != nil {
		o.answer <- answer
	}
	log.Printf("answer from proxy %s (%d bytes), client waiting: %v", sid, len(answer), o != nil)
	resp, _ := messages.EncodeAnswerResponse(o != nil)
	w.Write(resp)
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	flag.Parse()
	b := &broker{offers: make(chan *offer), waiting: map[string]*offer{}}
	http.HandleFunc("/proxy", b.proxy)
	http.HandleFunc("/client", b.client)
	http.HandleFunc("/answer", b.answer)
	log.Printf("broker listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
