// Two pion/webrtc peers in one process, offer and answer exchanged in
// memory, ICE over host candidates on the loopback address given: the
// datagrams on the wire are those of a real WebRTC session — STUN binding
// checks, a DTLS handshake (the answerer is the DTLS client, as pion and
// browsers default to), then SCTP data channel traffic over DTLS and SRTP.
// Built offline against Debian's golang-github-pion-webrtc.v3-dev by
// lab/dtls/webrtc.sh.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/pion/webrtc/v3"
)

func main() {
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(0 + 1) // MulticastDNSModeDisabled
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
	offerer, err := api.NewPeerConnection(webrtc.Configuration{})
	check(err)
	answerer, err := api.NewPeerConnection(webrtc.Configuration{})
	check(err)
	done := make(chan string, 1)
	answerer.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			check(dc.SendText("echo: " + string(m.Data)))
		})
	})
	dc, err := offerer.CreateDataChannel("snowflake-like", nil)
	check(err)
	dc.OnOpen(func() { check(dc.SendText("hello over a WebRTC data channel")) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) { done <- string(m.Data) })

	offer, err := offerer.CreateOffer(nil)
	check(err)
	gather := webrtc.GatheringCompletePromise(offerer)
	check(offerer.SetLocalDescription(offer))
	<-gather
	check(answerer.SetRemoteDescription(*offerer.LocalDescription()))
	answer, err := answerer.CreateAnswer(nil)
	check(err)
	gather = webrtc.GatheringCompletePromise(answerer)
	check(answerer.SetLocalDescription(answer))
	<-gather
	check(offerer.SetRemoteDescription(*answerer.LocalDescription()))
	select {
	case m := <-done:
		fmt.Println(m)
	case <-time.After(10 * time.Second):
		fmt.Fprintln(os.Stderr, "timeout")
		os.Exit(1)
	}
	time.Sleep(300 * time.Millisecond)
	offerer.Close()
	answerer.Close()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
