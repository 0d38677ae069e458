/* Copyright mtty-lab authors.
 *
 * kmtty_view: a copy of what one device of the real mtty.c holds (its
 * struct mdev_state, which only the driver's own translation unit can see),
 * taken by kshim/mtty_unit.c for the lockstep differential and for triage.
 */
#ifndef MTTY_KSHIM_MTTY_VIEW_H_
#define MTTY_KSHIM_MTTY_VIEW_H_

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KMTTY_CONFIG_SIZE 0xff

struct kmtty_port_view {
  uint8_t uart_reg[8];
  uint8_t fifo[16];
  uint8_t head, tail, count;
  bool dlab, overrun;
  uint16_t divisor;
  uint8_t fcr, max_fifo_size, intr_trigger_level;
};

struct kmtty_view {
  int nr_ports;
  int irq_index; /* -1 none, 0 INTx, 1 MSI (the driver's own field) */
  bool has_intx_ctx, has_msi_ctx;
  int intx_fd, msi_fd; /* user fd of the held contexts, -1 if none */
  uint32_t num_irqs;   /* dev_info.num_irqs: the last GET_INFO answer */
  uint64_t region_size[9];
  uint8_t config[KMTTY_CONFIG_SIZE];
  struct kmtty_port_view ports[2];
};

struct vfio_device;
/* Fills `out` from the device behind `vdev` (a device of this driver). */
void kmtty_peek(struct vfio_device *vdev, struct kmtty_view *out);
/* The driver's identity: MTTY_CONFIG_SPACE_SIZE, MAX_FIFO_SIZE. */
int kmtty_config_space_size(void);
int kmtty_max_fifo_size(void);

#ifdef __cplusplus
}
#endif

#endif /* MTTY_KSHIM_MTTY_VIEW_H_ */
