// Copyright mtty-lab authors.
//
// The reference model checked against the datasheet and core/UART.md, never
// against core/: if these hold, a difference the fuzzer reports is the
// device's.
#include "fuzz/models/reference_uart.h"

#include <gtest/gtest.h>

namespace mtty::fuzz {
namespace {

constexpr uint8_t kRbr = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5,
                  kMsr = 6, kScr = 7;

TEST(ReferenceUartTest, MasterResetValues) {
  ReferenceUart u;
  EXPECT_EQ(u.Peek(kIer), 0x00);
  EXPECT_EQ(u.Peek(kIir), 0x01);
  EXPECT_EQ(u.Peek(kLcr), 0x00);
  EXPECT_EQ(u.Peek(kMcr), 0x00);
  EXPECT_EQ(u.Peek(kLsr), 0x60);
  EXPECT_EQ(u.Peek(kMsr), 0xb0);
  EXPECT_EQ(u.Peek(kScr), 0x00);
  EXPECT_FALSE(u.Interrupt());
}

TEST(ReferenceUartTest, ThrLoopsBackToRbr) {
  ReferenceUart u;
  u.Write(kRbr, 0x41);
  EXPECT_EQ(u.Peek(kLsr), 0x61);
  EXPECT_EQ(u.Read(kRbr), 0x41);
  EXPECT_EQ(u.Peek(kLsr), 0x60);
  EXPECT_EQ(u.Read(kRbr), 0x00);  // empty RBR reads 0
}

TEST(ReferenceUartTest, DlabSelectsDivisorLatchesWhichReplace) {
  ReferenceUart u;
  u.Write(kLcr, 0x80);
  u.Write(kRbr, 0x0c);
  u.Write(kIer, 0x01);
  u.Write(kRbr, 0x03);  // replaces, not ORs
  EXPECT_EQ(u.Peek(kRbr), 0x03);
  EXPECT_EQ(u.Peek(kIer), 0x01);
  u.Write(kLcr, 0x03);
  EXPECT_EQ(u.Peek(kIer), 0x00);
  EXPECT_EQ(u.rx_count(), 0u);
}

TEST(ReferenceUartTest, IirWalksDownThePriorities) {
  ReferenceUart u;
  u.Write(kIer, 0x0f);  // THRI 0->1 arms THRE
  EXPECT_EQ(u.Peek(kIir), 0x02);
  u.Write(kRbr, 0x11);
  u.Write(kRbr, 0x22);                   // 16450 mode: overwrite, OE
  EXPECT_EQ(u.Peek(kIir), 0x06);         // RLS
  EXPECT_EQ(u.Read(kLsr) & 0x03, 0x03);  // DR | OE, clears OE
  EXPECT_EQ(u.Peek(kIir), 0x04);         // RDA
  EXPECT_EQ(u.Read(kRbr), 0x22);
  EXPECT_EQ(u.Read(kIir), 0x02);  // THRE, cleared by this read
  u.Write(kMcr, 0x10);            // loopback: modem inputs change
  EXPECT_EQ(u.Peek(kIir), 0x00);  // MSI
  u.Read(kMsr);
  EXPECT_EQ(u.Peek(kIir), 0x01);
}

TEST(ReferenceUartTest, ThreRearmsOnIerRisingEdgeOnly) {
  ReferenceUart u;
  u.Write(kIer, 0x02);
  EXPECT_EQ(u.Read(kIir), 0x02);
  EXPECT_EQ(u.Peek(kIir), 0x01);
  u.Write(kIer, 0x02);  // no edge: stays clear
  EXPECT_EQ(u.Peek(kIir), 0x01);
  u.Write(kIer, 0x00);
  u.Write(kIer, 0x02);
  EXPECT_EQ(u.Peek(kIir), 0x02);
}

TEST(ReferenceUartTest, FifoTriggerLevelEight) {
  ReferenceUart u;
  u.Write(kIir, 0x81);
  u.Write(kIer, 0x01);
  for (int i = 0; i < 7; ++i) u.Write(kRbr, static_cast<uint8_t>(i));
  EXPECT_EQ(u.Peek(kIir), 0xc1);
  u.Write(kRbr, 7);
  EXPECT_EQ(u.Peek(kIir), 0xc4);
  u.Read(kRbr);
  EXPECT_EQ(u.Peek(kIir), 0xc1);  // a level: below the trigger again
}

TEST(ReferenceUartTest, FifoOverrunDropsTheIncomingByte) {
  ReferenceUart u;
  u.Write(kIir, 0x01);
  for (int i = 0; i < 17; ++i) u.Write(kRbr, static_cast<uint8_t>(i));
  EXPECT_EQ(u.rx_count(), 16u);
  EXPECT_EQ(u.Read(kLsr), 0x63);
  EXPECT_EQ(u.Peek(kLsr), 0x61);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(u.Read(kRbr), i);
}

TEST(ReferenceUartTest, FifoEnableToggleClears) {
  ReferenceUart u;
  u.Write(kIir, 0x01);
  u.Write(kRbr, 1);
  u.Write(kIir, 0x01);  // no change, no clear
  EXPECT_EQ(u.rx_count(), 1u);
  u.Write(kIir, 0x00);
  EXPECT_EQ(u.rx_count(), 0u);
}

TEST(ReferenceUartTest, CharTimeoutAtDivisorOneIsFourTenBitFrames) {
  ReferenceUart u;
  u.Write(kLcr, 0x83);
  u.Write(kRbr, 1);
  u.Write(kLcr, 0x03);
  // 40 bits / 115200 baud = 347222.2 ns, rounded up.
  EXPECT_EQ(u.CharTimeoutNs(), 347223u);
  u.Write(kLcr, 0x80);
  u.Write(kRbr, 0);
  u.Write(kLcr, 0x00);  // 5N1 at divisor 0 = 65536: 28 bits per 4 frames
  EXPECT_EQ(u.CharTimeoutNs(),
            (uint64_t{28} * 65536 * 1000000000 + 115199) / 115200);
}

TEST(ReferenceUartTest, CharacterTimeout) {
  ReferenceUart u;
  u.Write(kLcr, 0x83);
  u.Write(kRbr, 1);
  u.Write(kLcr, 0x03);
  u.Write(kIir, 0x41);  // FIFO, trigger 4
  u.Write(kIer, 0x01);
  u.Write(kRbr, 0x55);
  u.AdvanceTime(347222);
  EXPECT_EQ(u.Peek(kIir), 0xc1);
  u.AdvanceTime(1);
  EXPECT_EQ(u.Peek(kIir), 0xcc);
  EXPECT_EQ(u.TakeRisingEdges(), 1);
  EXPECT_EQ(u.Read(kRbr), 0x55);
  EXPECT_EQ(u.Peek(kIir), 0xc1);
}

TEST(ReferenceUartTest, NoCharacterTimeoutWithoutFifo) {
  ReferenceUart u;
  u.Write(kIer, 0x01);
  u.Write(kRbr, 0x55);
  u.AdvanceTime(~uint64_t{0});
  EXPECT_EQ(u.Peek(kIir), 0x04);  // RDA, never CTI
}

TEST(ReferenceUartTest, BreakLoadsAZeroCharacterWithBi) {
  ReferenceUart u;
  u.Write(kIir, 0x01);
  u.Write(kLcr, 0x40);
  EXPECT_EQ(u.Peek(kLsr), 0xf1);  // DR, BI, THRE, TEMT, FIFO error
  u.Write(kRbr, 0x33);            // lost on the spacing line
  EXPECT_EQ(u.rx_count(), 1u);
  EXPECT_EQ(u.Read(kLsr), 0xf1);
  EXPECT_EQ(u.Peek(kLsr), 0xe1);  // BI cleared; the byte is still queued
  EXPECT_EQ(u.Read(kRbr), 0x00);
  EXPECT_EQ(u.Peek(kLsr), 0x60);
}

TEST(ReferenceUartTest, LoopbackModemLinesAndDeltas) {
  ReferenceUart u;
  u.Write(kMcr, 0x1a);  // LOOP | OUT2 | RTS: Linux's autoconfig test
  EXPECT_EQ(u.Peek(kMsr) & 0xf0, 0x90);
  EXPECT_EQ(u.Read(kMsr), 0x92);  // DSR dropped: DDSR
  EXPECT_EQ(u.Peek(kMsr), 0x90);
  u.Write(kMcr, 0x14);  // OUT1 -> RI on, CTS and DCD off
  EXPECT_EQ(u.Read(kMsr), 0x49);
  u.Write(kMcr, 0x10);  // RI 1 -> 0: TERI
  EXPECT_EQ(u.Read(kMsr), 0x04);
  EXPECT_EQ(u.Peek(kMcr), 0x10);
  u.Write(kMcr, 0xff);
  EXPECT_EQ(u.Peek(kMcr), 0x1f);
}

TEST(ReferenceUartTest, RisingEdgesOnly) {
  ReferenceUart u;
  u.Write(kIer, 0x02);
  u.Write(kRbr, 1);  // still asserted: no new edge
  EXPECT_EQ(u.TakeRisingEdges(), 1);
  u.Read(kIir);  // reports THRE and so clears it (RDI is off)
  EXPECT_FALSE(u.Interrupt());
  u.Write(kRbr, 2);
  EXPECT_EQ(u.TakeRisingEdges(), 1);
}

TEST(ReferenceUartTest, ResetRestoresPowerOnState) {
  ReferenceUart u;
  u.Write(kIer, 0x0f);
  u.Write(kScr, 0x5a);
  u.Write(kRbr, 1);
  u.Reset();
  ReferenceUart fresh;
  for (uint8_t r = 0; r < 8; ++r) EXPECT_EQ(u.Peek(r), fresh.Peek(r)) << +r;
  EXPECT_EQ(u.rx_count(), 0u);
}

TEST(ReferenceUartTest, RegistersAboveSevenAreInert) {
  ReferenceUart u;
  u.Write(8, 0xff);
  EXPECT_EQ(u.Read(8), 0);
  EXPECT_EQ(u.Peek(kLsr), 0x60);
}

}  // namespace
}  // namespace mtty::fuzz
