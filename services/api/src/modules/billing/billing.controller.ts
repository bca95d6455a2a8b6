import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  BillingCatalogueSchema,
  CheckoutRequestSchema,
  CheckoutResponseSchema,
  PaymentPageSchema,
  PaymentViewSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { Public } from '../../core/auth/auth.decorators.ts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { CurrentAccount } from '../accounts/current-account.decorator.ts';
import { CatalogueService } from './catalogue.service.ts';
import { PaymentsService } from './payments.service.ts';

class CheckoutDto extends zodDto(CheckoutRequestSchema) {}
class PaymentsQueryDto extends zodDto(z.strictObject(PageQueryFields)) {}
class PaymentParamsDto extends zodDto(
  z.strictObject({ id: z.string().regex(/^[\w-]{1,100}$/, { error: 'is not a payment id' }) }),
) {}

@ApiTags('billing')
@ApiBearerAuth()
@Controller('v1/billing')
export class BillingController {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly payments: PaymentsService,
  ) {}

  @Public()
  @Get('catalogue')
  @ApiOperation({ summary: 'Credit packs and plans for sale' })
  @RespondsWith(BillingCatalogueSchema)
  catalogueOf() {
    return this.catalogue.catalogue();
  }

  @Post('checkout')
  @AcceptsJson(CheckoutRequestSchema, { packId: 'pack-2000' })
  @ApiOperation({ summary: 'Start paying for a credit pack or a plan' })
  @HttpCode(201)
  @RespondsWith(CheckoutResponseSchema, 201, "The pending payment and the provider's hosted payment page")
  checkout(
    @CurrentPrincipal() principal: Principal,
    // Paying for the team is billing: owners only.
    @CurrentAccount('owner') account: Account,
    @Body() body: CheckoutDto,
  ) {
    return this.payments.checkout(account, principal, body);
  }

  @Get('payments')
  @ApiOperation({ summary: 'List your payments' })
  @RespondsWith(PaymentPageSchema)
  list(@CurrentAccount('owner') account: Account, @Query() query: PaymentsQueryDto) {
    return this.payments.list(account, query.cursor, query.limit);
  }

  @Get('payments/:id')
  @ApiOperation({ summary: 'Get a payment and whether it settled' })
  @RespondsWith(PaymentViewSchema)
  get(@CurrentAccount('owner') account: Account, @Param() params: PaymentParamsDto) {
    return this.payments.get(account, params.id);
  }
}
