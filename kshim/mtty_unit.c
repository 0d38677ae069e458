/* Copyright mtty-lab authors.
 *
 * The translation unit of the real driver: samples/vfio-mdev/mtty.c from
 * the linux-source tarball (@linux_source), included unmodified and
 * compiled against kshim's kernel headers, plus the accessors that copy its
 * private state out (kshim/mtty_view.h). Warnings inside the kernel's file
 * are the kernel's, not ours: they are silenced for that include only.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include "samples/vfio-mdev/mtty.c"
#pragma GCC diagnostic pop

#include "kshim/eventfd_fd.h"
#include "kshim/mtty_view.h"

void kmtty_peek(struct vfio_device *vdev, struct kmtty_view *out) {
  const struct mdev_state *st = container_of(vdev, struct mdev_state, vdev);
  memset(out, 0, sizeof(*out));
  out->nr_ports = st->nr_ports;
  out->irq_index = st->irq_index;
  out->has_intx_ctx = st->intx_evtfd != NULL;
  out->has_msi_ctx = st->msi_evtfd != NULL;
  out->intx_fd = kshim_eventfd_ctx_user_fd(st->intx_evtfd);
  out->msi_fd = kshim_eventfd_ctx_user_fd(st->msi_evtfd);
  out->num_irqs = st->dev_info.num_irqs;
  for (int i = 0; i < VFIO_PCI_NUM_REGIONS && i < 9; ++i) {
    out->region_size[i] = st->region_info[i].size;
  }
  memcpy(out->config, st->vconfig, MTTY_CONFIG_SPACE_SIZE);
  for (int p = 0; p < 2; ++p) {
    const struct serial_port *s = &st->s[p];
    struct kmtty_port_view *v = &out->ports[p];
    memcpy(v->uart_reg, s->uart_reg, sizeof(v->uart_reg));
    memcpy(v->fifo, s->rxtx.fifo, sizeof(v->fifo));
    v->head = s->rxtx.head;
    v->tail = s->rxtx.tail;
    v->count = s->rxtx.count;
    v->dlab = s->dlab;
    v->overrun = s->overrun;
    v->divisor = s->divisor;
    v->fcr = s->fcr;
    v->max_fifo_size = s->max_fifo_size;
    v->intr_trigger_level = s->intr_trigger_level;
  }
}

int kmtty_config_space_size(void) { return MTTY_CONFIG_SPACE_SIZE; }
int kmtty_max_fifo_size(void) { return MAX_FIFO_SIZE; }
